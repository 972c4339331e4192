"""The worker that fires Closure's durable timers (定时, services/closure/application/timers.py).

Each timer runs in the transaction that also marks its job done (`Transactional`), so its event
is appended once even with several instances or a worker killed mid-way (ADR 0007).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import asyncpg
from prometheus_client import CollectorRegistry

from casekit.eventstore import Connection
from casekit.jobs import Job
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import JobPolicy, JobWorker, Settled, Transactional
from casekit.runtime import Runtime
from services.closure.application.commands import on_timer
from services.closure.application.context import Closure
from services.closure.application.timers import QUEUE


def timer_policy(poll_seconds: float, concurrency: int, lease: timedelta = timedelta(seconds=60)) -> JobPolicy:
    return JobPolicy(lease=lease, poll_seconds=poll_seconds, concurrency=concurrency)


def timer_worker_on(
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    closure: Closure,
    policy: JobPolicy,
    on_settled: Callable[[Settled], None] | None = None,
) -> JobWorker:
    """The worker on a pool of its own (an instance; tests and the benchmark run several)."""

    async def fire(job: Job, conn: Connection) -> None:
        await on_timer(job.payload, closure, conn)

    metrics = JobMetrics.of(registry)
    return JobWorker(pool, QUEUE, Transactional(fire), policy, metrics, on_settled=on_settled, service="closure")


def timer_worker(runtime: Runtime, closure: Closure, poll_seconds: float, concurrency: int) -> JobWorker:
    return timer_worker_on(runtime.pool, runtime.metrics.registry, closure, timer_policy(poll_seconds, concurrency))
