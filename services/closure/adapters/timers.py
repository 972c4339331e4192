"""The worker that fires Closure's durable timers (services/closure/application/timers.py)."""

from __future__ import annotations

from casekit.eventstore import Connection
from casekit.jobs import Job
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import JobPolicy, JobWorker, Transactional
from casekit.runtime import Runtime
from services.closure.application.commands import on_timer
from services.closure.application.context import Closure
from services.closure.application.timers import QUEUE


def timer_worker(runtime: Runtime, closure: Closure, poll_seconds: float, concurrency: int) -> JobWorker:
    async def fire(job: Job, conn: Connection) -> None:
        await on_timer(job.payload, closure, conn)

    policy = JobPolicy(poll_seconds=poll_seconds, concurrency=concurrency)
    return JobWorker(runtime.pool, QUEUE, Transactional(fire), policy, JobMetrics.of(runtime.metrics.registry),
                     service="closure")  # fmt: skip
