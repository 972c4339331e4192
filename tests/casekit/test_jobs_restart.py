"""A PostgreSQL restart while job workers run: they recover by themselves and finish the work,
each timer once, and a job in flight across the restart is recorded after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

import asyncpg
import pytest

from casekit.db import create_pool, migrate
from casekit.eventstore import Connection
from casekit.jobs import Job
from casekit.jobs_worker import Done, External, Outcome, Transactional
from devstack.postgres import EmbeddedPostgres
from tests.casekit.jobs_rig import enqueue_many, fast_policy, record, states, workers
from tests.conftest import eventually, once_back

T = TypeVar("T")


@pytest.fixture
async def own_pool(own_postgres: EmbeddedPostgres) -> AsyncIterator[asyncpg.Pool]:
    await eventually(once_back(lambda: migrate(own_postgres.url, "jobs_restart")))  # accepting connections yet?
    pool = await create_pool(own_postgres.url, "jobs_restart", max_size=8)
    await pool.execute("CREATE TABLE effects (job_id bigint)")
    yield pool
    await pool.close()


async def test_workers_recover_from_a_postgres_restart_and_finish_the_work(
    own_postgres: EmbeddedPostgres, own_pool: asyncpg.Pool
) -> None:
    async def fire(job: Job, conn: Connection) -> None:
        await conn.execute("INSERT INTO effects VALUES ($1)", job.id)

    before = await enqueue_many(own_pool, 20)
    async with workers(own_pool, Transactional(fire), fast_policy(lease=2.0), count=2):

        async def first_batch_done() -> None:
            assert await states(own_pool) == {"done": 20}

        await eventually(first_batch_done)
        await asyncio.to_thread(own_postgres.stop)
        await asyncio.to_thread(own_postgres.start)  # same data directory, same port

        after = await eventually(once_back(lambda: enqueue_many(own_pool, 20)), within=60)

        async def all_done() -> None:
            assert await states(own_pool) == {"done": 40}

        await eventually(once_back(all_done), within=90)

    effects = sorted(row[0] for row in await own_pool.fetch("SELECT job_id FROM effects"))
    assert effects == sorted(before + after)  # every timer fired, each once


async def test_a_job_in_flight_across_a_postgres_restart_is_recorded_after_it(
    own_postgres: EmbeddedPostgres, own_pool: asyncpg.Pool
) -> None:
    calling = asyncio.Event()
    answer = asyncio.Event()

    async def call(job: Job) -> Outcome:
        calling.set()
        await answer.wait()  # the receiver answers only once the database is back
        return Done({"http_status": 204})

    [job_id] = await enqueue_many(own_pool, 1)
    async with workers(own_pool, External(call), fast_policy(lease=30.0)):
        await asyncio.wait_for(calling.wait(), 20)
        await asyncio.to_thread(own_postgres.stop)
        await asyncio.to_thread(own_postgres.start)
        answer.set()

        async def done() -> None:
            assert (await record(own_pool, job_id)).state == "done"

        await eventually(once_back(done), within=90)

    found = await record(own_pool, job_id)
    assert [(a.outcome, a.detail) for a in found.attempts][-1] == ("done", {"http_status": 204})
