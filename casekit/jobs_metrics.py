"""The durable jobs' metrics: one set per service registry, shared by all its job workers."""

from __future__ import annotations

import weakref
from typing import ClassVar

from prometheus_client import CollectorRegistry, Counter, Gauge


class JobMetrics:
    """The queues' metrics, one set per service registry (every worker of the service shares it)."""

    _by_registry: ClassVar[weakref.WeakKeyDictionary[CollectorRegistry, JobMetrics]] = weakref.WeakKeyDictionary()

    def __init__(self, registry: CollectorRegistry) -> None:
        self.done = Counter("jobs_done_total", "Jobs completed", ["queue"], registry=registry)
        self.failed = Counter("job_attempts_failed_total", "Job attempts that failed", ["queue"], registry=registry)
        self.given_up = Counter("jobs_given_up_total", "Jobs given up after their limit", ["queue"], registry=registry)
        self.expired = Counter(
            "job_leases_expired_total", "Attempts whose worker went silent past the lease", ["queue"], registry=registry
        )
        self.pending = Gauge(
            "jobs_pending", "Jobs not yet done nor given up (all replicas)", ["queue"], registry=registry
        )
        self.oldest_due_age = Gauge(
            "jobs_oldest_due_age_seconds", "How long the oldest due job has waited", ["queue"], registry=registry
        )

    @classmethod
    def of(cls, registry: CollectorRegistry) -> JobMetrics:
        if registry not in cls._by_registry:
            cls._by_registry[registry] = cls(registry)
        return cls._by_registry[registry]
