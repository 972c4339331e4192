"""Kafka plumbing: CloudEvents binding, producer, consumer with inbox and dead letters."""
