"""巡查督导 The unpatrolled-grid flag across a restart: one check per watched grid, moved by a patrol, flagged once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import orjson

from casekit.envelope import utc_now
from devstack.stack import Stack
from services.intake.adapters.officers import StaticOfficers
from services.intake.application.watches import QUEUE
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import eventually, running, service_env
from tests.intake.patrol_rig import A_POINTS, GRID_A, GRID_B, OFFICERS, WATCHED, directory, officer


async def checks(pool: asyncpg.Pool, state: str = "pending") -> dict[str, list[datetime]]:
    rows = await pool.fetch("SELECT payload::text, due_at FROM jobs WHERE queue = $1 AND state = $2", QUEUE, state)
    found: dict[str, list[datetime]] = {}
    for row in rows:
        found.setdefault(orjson.loads(row[0])["grid_code"], []).append(row[1])
    return found


async def flags(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT data::text FROM events WHERE type = 'intake.GridPatrolOverdue' ORDER BY version")
    return [orjson.loads(row[0]) for row in rows]


async def test_an_unpatrolled_grid_is_flagged_once_across_a_restart(
    stack: Stack, database: str, topics_for: str
) -> None:
    settings = IntakeSettings(**service_env(stack, database, topics_for, "intake"), grid_watch_poll_seconds=0.05)
    began = utc_now()
    first = create_app(settings, directory())
    async with running(first, officer()) as client:
        pool: asyncpg.Pool = first.state.runtime.pool
        seeded = await checks(pool)
        assert set(seeded) == {GRID_A, GRID_B}
        assert all(len(due) == 1 for due in seeded.values())
        assert began + WATCHED[GRID_B] <= seeded[GRID_B][0] <= utc_now() + WATCHED[GRID_B]
        # A patrol through grid A only: A's check moves to its visit plus a day; B's stays.
        start = utc_now() - timedelta(minutes=30)
        patrol = (await client.post("/v1/patrols", json={"started_at": start.isoformat()})).json()["patrol_id"]
        points = [{"seq": i, "at": (start + timedelta(minutes=10 * i)).isoformat(), "lat": lat, "lon": lon}
                  for i, (lat, lon) in enumerate(A_POINTS)]  # fmt: skip
        assert (await client.post(f"/v1/patrols/{patrol}/track", json={"points": points})).status_code == 200
        assert (await client.post(f"/v1/patrols/{patrol}/finish", json={})).status_code == 200
        moved = await checks(pool)
        assert moved[GRID_A] == [start + timedelta(minutes=20) + WATCHED[GRID_A]]
        assert moved[GRID_B] == seeded[GRID_B]
        assert list(await checks(pool, "cancelled")) == [GRID_A]

    # While Intake is down, B's check comes due (time passes: its job is due now).
    admin = await asyncpg.connect(settings.database_url)
    try:
        due_now = """UPDATE intake.jobs SET due_at = now()
            WHERE queue = $1 AND state = 'pending' AND payload->>'grid_code' = $2"""
        await admin.execute(due_now, QUEUE, GRID_B)
    finally:
        await admin.close()

    again = create_app(settings, directory())
    async with running(again, officer()) as client:
        pool = again.state.runtime.pool

        async def flagged_and_rescheduled() -> list[dict[str, Any]]:
            assert list(await checks(pool, "done")) == [GRID_B], "B's check has not run yet"
            return await flags(pool)

        [flag] = await eventually(flagged_and_rescheduled)
        after = await checks(pool)
        assert "intake_grid_patrols_overdue_total 1.0" in (await client.get("/metrics")).text

    assert flag["grid_code"] == GRID_B
    assert flag["last_patrolled_at"] is None
    assert datetime.fromisoformat(flag["due_at"]) == seeded[GRID_B][0]
    # The next check an interval on; A's untouched; seeding again at start owed nothing new.
    assert after == {GRID_A: moved[GRID_A], GRID_B: [seeded[GRID_B][0] + WATCHED[GRID_B]]}


async def test_a_changed_interval_moves_the_pending_check_at_the_next_start(
    stack: Stack, database: str, topics_for: str
) -> None:
    settings = IntakeSettings(**service_env(stack, database, topics_for, "intake"))
    first = create_app(settings, directory())
    async with running(first, officer()):
        seeded = await checks(first.state.runtime.pool)

    weekly = {GRID_A: WATCHED[GRID_A], GRID_B: timedelta(days=7)}  # duty.yaml now says B weekly
    again = create_app(settings, StaticOfficers(OFFICERS, weekly))
    async with running(again, officer()):
        moved = await checks(again.state.runtime.pool)
        cancelled = await checks(again.state.runtime.pool, "cancelled")

    assert moved[GRID_A] == seeded[GRID_A]  # unchanged interval, untouched check
    assert moved[GRID_B] == [seeded[GRID_B][0] - WATCHED[GRID_B] + timedelta(days=7)]  # from the watch's start
    assert cancelled == {GRID_B: seeded[GRID_B]}
