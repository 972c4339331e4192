"""Closure's timers across restarts and instances: a worker stopped or killed mid-way, PostgreSQL
restarted under running workers, two instances on one database: each timer's event once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest

from casekit.envelope import utc_now
from cityconfig import City
from devstack.postgres import EmbeddedPostgres
from tests.closure.timer_rig import Rig, closure_of, closure_pool, fast_policy, instance, rig, timer_city
from tests.conftest import eventually, once_back

__all__ = ["rig", "timer_city"]  # fixtures


async def open_cases(rig: Rig, count: int) -> list[UUID]:
    at = utc_now()
    return list(await asyncio.gather(*(rig.route(at) for _ in range(count))))


async def each_once(rig: Rig, cases: list[UUID], *kinds: str) -> None:
    """Every case has exactly one event of each of `kinds`, and one ClosureOpened."""
    found = await rig.counts_by_case()
    assert set(found) == set(cases)
    for case_id in cases:
        assert {kind: found[case_id][kind] for kind in ("ClosureOpened", *kinds)} == dict.fromkeys(
            ("ClosureOpened", *kinds), 1
        ), case_id


async def done_is(rig: Rig, expected: int, within: float = 30.0) -> None:
    async def check() -> None:
        assert (await rig.states())["done"] == expected

    await eventually(once_back(check), within=within)


async def test_a_worker_stopped_mid_way_and_a_new_one_neither_lose_nor_repeat_a_warning(rig: Rig) -> None:
    cases = await open_cases(rig, 300)
    assert await rig.due_now("warn") == 300
    async with instance(rig, fast_policy(concurrency=2)):

        async def some_fired() -> None:
            assert (await rig.states())["done"] >= 20

        await eventually(some_fired)
    stopped_at = (await rig.states())["done"]
    assert 20 <= stopped_at < 300  # stopped mid-way: the rest wait
    async with instance(rig):
        await done_is(rig, 300)
    await each_once(rig, cases, "DeadlineWarned")


async def test_a_worker_killed_mid_way_leaves_its_timers_to_the_next_after_their_lease(rig: Rig) -> None:
    cases = await open_cases(rig, 200)
    assert await rig.due_now("overdue") == 200
    async with instance(rig, fast_policy(concurrency=8, lease=1.0)) as (_, task):

        async def some_fired() -> None:
            assert (await rig.states())["done"] >= 20

        await eventually(some_fired)
        task.cancel()  # killed, not stopped: attempts in flight are abandoned, their leases hand them on
        await asyncio.gather(task, return_exceptions=True)
        assert (await rig.states())["done"] < 200
    async with instance(rig, fast_policy(lease=1.0)):
        await done_is(rig, 200)  # every overdue mark; the escalations they owe are due later
    await each_once(rig, cases, "DeadlineOverdue")
    escalations = await rig.pool.fetchval(
        "SELECT count(DISTINCT correlation_id) * 1000 + count(*) FROM jobs WHERE payload->>'kind' = 'escalate'"
    )
    assert escalations == 200 * 1000 + 200  # one 督办 owed per case, none twice


async def test_two_instances_fire_every_timer_once(rig: Rig) -> None:
    cases = await open_cases(rig, 400)
    other = await closure_pool(rig.url)
    try:
        async with instance(rig), instance(rig, pool=other):
            assert await rig.due_now("overdue") == 400
            await done_is(rig, 400)
            assert await rig.due_now("escalate") == 400
            await done_is(rig, 800)
            assert await rig.due_now("warn") == 400  # late warnings of cases already overdue: nothing
            await done_is(rig, 1200)
    finally:
        await other.close()
    await each_once(rig, cases, "DeadlineOverdue", "CaseEscalated")
    attempts = await rig.pool.fetchval("SELECT count(*) FROM job_attempts")
    assert attempts == 1200  # no timer was even run twice
    assert sum(c["DeadlineWarned"] for c in (await rig.counts_by_case()).values()) == 0


@pytest.fixture
async def own_rig(own_postgres: EmbeddedPostgres, timer_city: City) -> AsyncIterator[Rig]:
    pool: asyncpg.Pool = await eventually(once_back(lambda: closure_pool(own_postgres.url)))
    yield Rig(own_postgres.url, pool, closure_of(pool, timer_city))
    await pool.close()


async def test_timers_across_a_postgres_restart_fire_once_each(own_postgres: EmbeddedPostgres, own_rig: Rig) -> None:
    rig = own_rig
    cases = await open_cases(rig, 100)
    other = await closure_pool(rig.url)
    try:
        async with instance(rig, fast_policy(lease=2.0)), instance(rig, fast_policy(lease=2.0), pool=other):
            assert await rig.due_now("warn") == 100

            async def some_fired() -> None:
                assert (await rig.states())["done"] >= 10

            await eventually(some_fired)
            await asyncio.to_thread(own_postgres.stop)  # mid-way: attempts in flight roll back
            await asyncio.to_thread(own_postgres.start)  # same data directory, same port

            await done_is(rig, 100, within=90)
            moved = await eventually(once_back(lambda: rig.due_now("overdue")), within=60)
            assert moved == 100
            await done_is(rig, 200, within=90)
            await eventually(once_back(lambda: rig.due_now("escalate")), within=60)
            await done_is(rig, 300, within=90)
    finally:
        await other.close()
    await each_once(rig, cases, "DeadlineWarned", "DeadlineOverdue", "CaseEscalated")
