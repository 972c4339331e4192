"""Prometheus metrics, one registry per service instance (no module singletons)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """What an SRE watches: traffic, events in and out, dead letters and the two lags."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.http_requests = Counter(
            "http_requests_total", "HTTP requests handled", ["method", "route", "status"], registry=r
        )
        self.http_seconds = Histogram(
            "http_request_duration_seconds", "HTTP request latency", ["method", "route"], registry=r
        )
        self.events_appended = Counter(
            "events_appended_total", "Events appended to the event store", ["type"], registry=r
        )
        self.events_published = Counter(
            "events_published_total", "Events the outbox relay published", ["topic"], registry=r
        )
        self.messages_consumed = Counter(
            "messages_consumed_total", "Kafka messages consumed, by outcome", ["topic", "outcome"], registry=r
        )
        self.dead_lettered = Counter(
            "messages_dead_lettered_total", "Messages parked on a dead-letter topic", ["topic"], registry=r
        )
        self.handler_retries = Counter("handler_retries_total", "Transient failures retried", ["topic"], registry=r)
        self.consumer_lag = Gauge(
            "consumer_lag_messages",
            "Messages behind the partition's high watermark",
            ["topic", "partition"],
            registry=r,
        )
        self.relay_errors = Counter(
            "relay_errors_total", "Relay batches that failed (broker away, contract violation)", registry=r
        )
        self.tasks_died = Counter(
            "service_tasks_died_total", "Long-running tasks (relay, consumers, workers) that ended unasked", ["task"],
            registry=r,
        )  # fmt: skip
        self.access_refusals = Counter(
            "access_refusals_total", "Requests refused: 401 who are you, 403 not yours, 429 too many",
            ["route", "status"], registry=r,
        )  # fmt: skip
        self.relay_lag = Gauge("relay_lag_seconds", "Age of the oldest event not yet published", registry=r)
