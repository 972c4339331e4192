"""巡查's durable jobs: the watched grids' checks (巡查督导, application/watches.py) and their seeding at
start, and the finish of patrols left open (巡查超时, application/patrol_records.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from casekit.envelope import utc_now
from casekit.eventstore import Connection
from casekit.jobs import Job
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import JobPolicy, JobWorker, Transactional
from casekit.runtime import Runtime
from services.intake.application import patrol_records
from services.intake.application.context import Intake
from services.intake.application.watches import QUEUE, on_check_due, seed_watches


def worker(poll_seconds: float) -> Callable[[Runtime, Intake], Sequence[JobWorker]]:
    """`ServiceSpec.background`'s part: one worker per queue (each job fires once, ADR 0007)."""

    def start(runtime: Runtime, intake: Intake) -> Sequence[JobWorker]:
        async def check(job: Job, conn: Connection) -> None:
            await on_check_due(job.payload, intake, conn, utc_now())

        async def time_out(job: Job, conn: Connection) -> None:
            await patrol_records.on_timeout_due(job.payload, intake, conn)

        policy = JobPolicy(poll_seconds=poll_seconds, concurrency=2)
        metrics = JobMetrics.of(runtime.metrics.registry)
        return [
            JobWorker(runtime.pool, queue, Transactional(run), policy, metrics, service="intake")
            for queue, run in ((QUEUE, check), (patrol_records.TIMEOUT_QUEUE, time_out))
        ]

    return start


async def seed(runtime: Runtime, intake: Intake) -> None:
    """At start: every watched grid has its watch and one pending check (again: nothing new)."""
    async with runtime.pool.acquire() as conn:
        await seed_watches(conn, intake, utc_now())
