"""casekit: the plumbing every service shares (event store, outbox relay, Kafka bus, inbox,
settings, logging, tracing, HTTP errors). It knows no service."""
