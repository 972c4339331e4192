"""Local stand-ins for production infrastructure: a real PostgreSQL and a real Kafka.

Used alike by `make run`, the tests and the benchmarks (ADR 0004).
"""
