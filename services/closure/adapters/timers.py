"""The worker that fires Closure's durable timers (定时, services/closure/application/timers.py).

A timer's decision is written in one statement that also completes its job
(sql/003_timer_fired.sql, a `Settling` handler): its events appended first, the case's row, the
督办 it owes and the job done, in that statement's transaction; or nothing, if another worker
has the job by then. So each timer's event is appended once even with several instances or a
worker killed mid-way (ADR 0007), in two round trips. A decision that would move a deadline (no
timer's does) takes the general path: `on_timer` and `jobs.complete` in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import asyncpg
import orjson
from prometheus_client import CollectorRegistry

from casekit import jobs
from casekit.envelope import utc_now
from casekit.eventstore import Connection
from casekit.jobs import Job, LeaseLost
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import JobPolicy, JobWorker, Settled, Settling
from casekit.runtime import Runtime
from casekit.writes import NewEvents, append_with
from services.closure.adapters.views.cases import row_json
from services.closure.application import timers
from services.closure.application.commands import decide_timer, on_timer
from services.closure.application.context import Closure
from services.closure.domain.closure import stream_id

FIRED = "SELECT closure_timer_fired($1, $2::jsonb, $3::jsonb, $4, $5, $6)"
LEASE_LOST = "CK410"


def timer_policy(poll_seconds: float, concurrency: int, lease: timedelta = timedelta(seconds=60)) -> JobPolicy:
    return JobPolicy(lease=lease, poll_seconds=poll_seconds, concurrency=concurrency)


async def fire(job: Job, closure: Closure, conn: Connection) -> None:
    """One timer, settled with its job (outside any transaction: each statement is its own)."""
    decided = await decide_timer(job.payload, closure, conn)
    if not decided.events:  # the case has moved on: the timer fires into nothing
        await jobs.complete(conn, job)
        return
    cancel, owe = timers.owed(closure.rules, decided.before, decided.after, decided.events)
    row = row_json(decided.case_id, decided.after, utc_now())
    if cancel or row is None:
        async with conn.transaction():
            await on_timer(job.payload, closure, conn)
            await jobs.complete(conn, job)
        return
    owed = [timers.job_of(kind, decided.case_id, stage, due_at, fire_at) for kind, stage, due_at, fire_at in owe]
    new = NewEvents(stream_id(decided.case_id), decided.events, decided.meta, decided.version)
    try:
        await append_with(closure.store, conn, new, FIRED, orjson.dumps(row).decode(), orjson.dumps(owed).decode(),
                          job.id, job.lease_token, job.attempt)  # fmt: skip
    except asyncpg.PostgresError as error:
        if error.sqlstate == LEASE_LOST:
            raise LeaseLost(str(error)) from error
        raise
    closure.observe(decided.events)


def timer_worker_on(
    pool: asyncpg.Pool,
    registry: CollectorRegistry,
    closure: Closure,
    policy: JobPolicy,
    on_settled: Callable[[Settled], None] | None = None,
) -> JobWorker:
    """The worker on a pool of its own (an instance; tests and the benchmark run several)."""

    async def settle(job: Job, conn: Connection) -> None:
        await fire(job, closure, conn)

    metrics = JobMetrics.of(registry)
    return JobWorker(pool, QUEUE, Settling(settle), policy, metrics, on_settled=on_settled, service="closure")


QUEUE = timers.QUEUE


def timer_worker(runtime: Runtime, closure: Closure, poll_seconds: float, concurrency: int) -> JobWorker:
    return timer_worker_on(runtime.pool, runtime.metrics.registry, closure, timer_policy(poll_seconds, concurrency))
