"""Intake keeps each case's public status from Dispatch's events, for the hotline to read.

Grid reports here: they are routed at once (hotline and public reports wait for confirmation).
"""

from __future__ import annotations

from typing import Any

from casekit.projection_rebuild import rebuild
from devstack.stack import Stack
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.adapters.projections import PUBLIC_STATUS
from tests.conftest import eventually, running, service_env
from tests.intake.conftest import POINT, IntakeUnderTest, report


async def test_a_routed_case_and_the_reports_merged_into_it_show_as_dispatched(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    async with running(dispatch_app(DispatchSettings(**service_env(stack, database, intake.prefix, "dispatch")))):
        primary = (await intake.post(report(external_id="G-77"))).json()
        merged = (await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))).json()

        async def dispatched(case_id: str) -> dict[str, Any]:
            view: dict[str, Any] = (await intake.client.get(f"/v1/reports/{case_id}")).json()
            assert view["status"] == "dispatched"
            return view

        primary_view = await eventually(lambda: dispatched(primary["case_id"]))
        merged_view = await eventually(lambda: dispatched(merged["case_id"]))
        history = await intake.app.state.runtime.pool.fetch(
            "SELECT status FROM status_changes WHERE case_id = $1 ORDER BY id", primary["case_id"]
        )

    assert merged["linked_to"] == primary["case_id"]
    assert primary_view["unit_name"] == "鼓楼区水务局"
    assert primary_view["status_note"] == "已派遣至 鼓楼区水务局"
    assert merged_view["unit_name"] == "鼓楼区水务局"
    assert [row["status"] for row in history] == ["received", "dispatched"]


async def test_a_report_merged_after_its_case_was_routed_shows_as_dispatched_at_once(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    async with running(dispatch_app(DispatchSettings(**service_env(stack, database, intake.prefix, "dispatch")))):
        primary = (await intake.post(report(external_id="G-78"))).json()

        async def dispatched() -> None:
            view = (await intake.client.get(f"/v1/reports/{primary['case_id']}")).json()
            assert view["status"] == "dispatched"

        await eventually(dispatched)
        merged = (await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))).json()
        merged_view = (await intake.client.get(f"/v1/reports/{merged['case_id']}")).json()
        history = await intake.app.state.runtime.pool.fetch(
            "SELECT status FROM status_changes WHERE case_id = $1 ORDER BY id", merged["case_id"]
        )

    assert merged["linked_to"] == primary["case_id"]
    assert merged["status"] == "dispatched"
    assert merged_view["status"] == "dispatched"
    assert merged_view["unit_name"] == "鼓楼区水务局"
    assert [row["status"] for row in history] == ["dispatched"]


async def test_a_rebuild_of_the_public_status_reproduces_it_and_the_callbacks_log_is_not_repeated(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    async with running(dispatch_app(DispatchSettings(**service_env(stack, database, intake.prefix, "dispatch")))):
        first = (await intake.post(report())).json()
        merged = (await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))).json()
        second = (await intake.post(report(category_code="06010"))).json()

        async def both_dispatched() -> None:
            for case in (first, second):
                assert (await intake.client.get(f"/v1/reports/{case['case_id']}")).json()["status"] == "dispatched"

        await eventually(both_dispatched)
    pool = intake.app.state.runtime.pool
    live = [tuple(row) for row in await pool.fetch("SELECT * FROM public_status ORDER BY case_id")]
    views = [(await intake.client.get(f"/v1/reports/{c['case_id']}")).json() for c in (first, merged, second)]
    changes = await pool.fetchval("SELECT count(*) FROM status_changes")

    generation = await rebuild(
        PUBLIC_STATUS,
        pool=pool,
        kafka=stack.kafka_user("intake"),
        topic=intake.app.state.runtime.settings.topic,
    )

    assert generation == 2
    assert [tuple(row) for row in await pool.fetch("SELECT * FROM public_status ORDER BY case_id")] == live
    assert [(await intake.client.get(f"/v1/reports/{c['case_id']}")).json() for c in (first, merged, second)] == views
    assert await pool.fetchval("SELECT count(*) FROM status_changes") == changes
    assert len(live) == 2
    assert views[1]["status"] == "dispatched"
