"""Benchmarks, run by `make bench`: throughput of the event store against a ceiling and a peer."""
