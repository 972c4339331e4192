"""Analytics' read models rebuilt from offset 0 while it answers, and rebuilt at start when stale."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import asyncpg
import httpx

from casekit.projection_rebuild import Progress, rebuild
from devstack.stack import Stack
from services.analytics.adapters.projections import PROJECTIONS, REPORT_COUNTS
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from tests.conftest import ROOT, eventually, running, service_env
from tests.intake.conftest import POINT, IntakeUnderTest, report

COUNTS = [{"channel": "grid", "opened": 1, "merged": 1}, {"channel": "hotline", "opened": 1, "merged": 0}]


async def post_reports(intake: IntakeUnderTest) -> str:
    """Two grid reports (the second merged into the first, 并单) and a hotline one; the first case id."""
    first = await intake.post(report())
    await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))
    await intake.post(report(channel="hotline", category_code="06010"))
    case_id: str = first.json()["case_id"]
    return case_id


async def settled(analytics: httpx.AsyncClient) -> None:
    async def counted() -> None:
        assert (await analytics.get("/v1/reports/counts")).json() == COUNTS

    await eventually(counted)


async def every_row(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model, as the API's queries see them (through the views), in a stable order
    (the first three columns: a patrol's visits are keyed by patrol, day and grid)."""
    return {
        table.name: [tuple(row) for row in await pool.fetch(f"SELECT * FROM {table.name} ORDER BY 1, 2, 3")]
        for projection in PROJECTIONS
        for table in projection.tables
    }


def settings_for(stack: Stack, database: str, prefix: str) -> AnalyticsSettings:
    return AnalyticsSettings(**service_env(stack, database, prefix, "analytics"))


async def test_a_rebuild_reproduces_both_read_models_row_for_row(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    settings = settings_for(stack, database, intake.prefix)
    app = analytics_app(settings)
    async with running(app) as analytics:
        case_id = await post_reports(intake)
        await settled(analytics)
        pool: asyncpg.Pool = app.state.runtime.pool
        live = await every_row(pool)
        trace = (await analytics.get(f"/v1/cases/{case_id}/trace")).json()

        for projection in PROJECTIONS:
            generation = await rebuild(projection, pool=pool, kafka=stack.kafka_user("analytics"), topic=settings.topic)
            assert generation == 2

        assert await every_row(pool) == live
        assert (await analytics.get(f"/v1/cases/{case_id}/trace")).json() == trace
        assert (await analytics.get("/v1/reports/counts")).json() == COUNTS

    assert len(live["case_trace"]) == 3
    assert len(live["report_counts"]) == 3


async def test_the_api_answers_from_the_old_tables_during_a_rebuild(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    settings = settings_for(stack, database, intake.prefix)
    app = analytics_app(settings)
    answers: list[tuple[str, tuple[Any, Any]]] = []
    async with running(app) as analytics:
        case_id = await post_reports(intake)
        await settled(analytics)
        before = (await analytics.get(f"/v1/cases/{case_id}/trace")).json()

        async def ask_meanwhile(progress: Progress) -> None:
            if progress.phase != "swapped":
                trace = await analytics.get(f"/v1/cases/{case_id}/trace")
                counts = await analytics.get("/v1/reports/counts")
                answers.append((progress.phase, (trace.json(), counts.json())))

        pool = app.state.runtime.pool
        for projection in PROJECTIONS:
            await rebuild(
                projection,
                pool=pool,
                kafka=stack.kafka_user("analytics"),
                topic=settings.topic,
                on_progress=ask_meanwhile,
            )

    assert {phase for phase, _ in answers} >= {"replay"}
    assert all(answer == (before, COUNTS) for _, answer in answers)


async def test_a_read_model_new_to_a_group_with_history_is_rebuilt_at_start(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    settings = settings_for(stack, database, intake.prefix)
    async with running(analytics_app(settings)) as analytics:
        await post_reports(intake)
        await settled(analytics)
    # As if the counts had been added to a deployment whose consumer group has handled everything.
    pool = await asyncpg.connect(database, server_settings={"search_path": settings.db_schema})
    try:
        await pool.execute("DROP VIEW report_counts; DROP TABLE report_counts_g1")
        await pool.execute("DELETE FROM projections WHERE name = $1", REPORT_COUNTS.name)
        await pool.execute("DELETE FROM projection_checkpoints WHERE projection = $1", REPORT_COUNTS.name)
    finally:
        await pool.close()

    app = analytics_app(settings)
    async with running(app) as analytics:
        await settled(analytics)
        generation = await app.state.runtime.pool.fetchval(
            "SELECT generation FROM projections WHERE name = $1", REPORT_COUNTS.name
        )

    assert generation == 2


async def test_the_rebuild_command_prints_progress_and_swaps(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    settings = settings_for(stack, database, intake.prefix)
    async with running(analytics_app(settings)) as analytics:
        await post_reports(intake)
        await settled(analytics)
        env = {
            **os.environ,
            **{key: str(value) for key, value in service_env(stack, database, intake.prefix, "analytics").items()},
        }
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.analytics.rebuild",
            cwd=ROOT,
            env=env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
        )
        _, stderr = await command.communicate()
        assert (await analytics.get("/v1/reports/counts")).json() == COUNTS

    output = stderr.decode()
    assert command.returncode == 0, output
    assert "analytics.case_trace: replay" in output
    assert "analytics.case_trace: generation 2 is live" in output
    assert "analytics.report_counts: generation 2 is live" in output
