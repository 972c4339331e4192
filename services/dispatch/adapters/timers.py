"""The worker that fires Dispatch's durable timers (services/dispatch/application/timers.py)."""

from __future__ import annotations

from collections.abc import Mapping

from casekit.eventstore import Connection
from casekit.jobs import Job
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import JobPolicy, JobWorker, Transactional
from casekit.runtime import Runtime
from services.dispatch.application import commands, summons
from services.dispatch.application.context import Dispatch
from services.dispatch.application.timers import QUEUE, TimerHandler

HANDLERS: Mapping[str, TimerHandler] = {
    "confirmation_due": commands.on_confirmation_due,
    summons.REPORT_IN_DUE: summons.on_report_in_due,
}


def timer_worker(runtime: Runtime, dispatch: Dispatch, poll_seconds: float) -> JobWorker:
    async def fire(job: Job, conn: Connection) -> None:
        handler = HANDLERS.get(str(job.payload.get("kind")))
        if handler is None:
            raise ValueError(f"no timer handler for kind {job.payload.get('kind')!r}")
        await handler(job.payload, dispatch, conn)

    policy = JobPolicy(poll_seconds=poll_seconds)
    return JobWorker(runtime.pool, QUEUE, Transactional(fire), policy, JobMetrics.of(runtime.metrics.registry),
                     service="dispatch")  # fmt: skip
