"""Helpers for the durable-jobs tests: workers started as tasks, and what they did."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg

from casekit import jobs
from casekit.jobs import JobRecord, JobState, Limits
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import Handler, JobPolicy, JobWorker
from casekit.metrics import Metrics

QUEUE = "test"


def fast_policy(*, lease: float = 30.0, max_attempts: int | None = 10, concurrency: int = 4) -> JobPolicy:
    return JobPolicy(
        lease=timedelta(seconds=lease),
        concurrency=concurrency,
        poll_seconds=0.05,
        backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        limits=Limits(max_attempts=max_attempts),
        stop_grace_seconds=1.0,
    )


@contextlib.asynccontextmanager
async def workers(
    pool: asyncpg.Pool, handler: Handler, policy: JobPolicy, count: int = 1, metrics: Metrics | None = None
) -> AsyncIterator[list[tuple[JobWorker, asyncio.Task[None]]]]:
    """`count` workers on QUEUE, as two replicas would run them; stopped at the end."""
    job_metrics = JobMetrics.of((metrics or Metrics()).registry)
    started = []
    for i in range(count):
        worker = JobWorker(pool, QUEUE, handler, policy, job_metrics)
        started.append((worker, asyncio.create_task(worker.run(), name=f"worker-{i}")))
    try:
        yield started
    finally:
        for worker, _ in started:
            await worker.stop()
        await asyncio.gather(*(task for _, task in started), return_exceptions=True)


async def enqueue_many(pool: asyncpg.Pool, count: int) -> list[int]:
    async with pool.acquire() as conn, conn.transaction():
        return [await jobs.enqueue(conn, QUEUE, {"n": n}) for n in range(count)]


async def states(pool: asyncpg.Pool) -> dict[JobState, int]:
    rows = await pool.fetch("SELECT state, count(*) FROM jobs WHERE queue = $1 GROUP BY state", QUEUE)
    return {row[0]: row[1] for row in rows}


async def record(pool: asyncpg.Pool, job_id: int) -> JobRecord:
    async with pool.acquire() as conn:
        [found] = [r for r in await jobs.find_jobs(conn, QUEUE, limit=1000) if r.id == job_id]
    return found
