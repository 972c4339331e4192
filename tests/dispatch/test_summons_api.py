"""吹哨报到 end to end: whistle reports posted to Intake summon departments; they report in over HTTP.

Deadlines are 30 minutes and more; a test lets one pass by making its timer's job due now, as
the clock would (the timer is the clock: services/dispatch/domain/summons.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from devstack.stack import Stack
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, eventually, running, service_env
from tests.dispatch.city_fixture import COMMUNITY, write_city
from tests.dispatch.rig import DISPATCHER, SQUAD, Flow

WATER = "dt-320302-water"
STATION = "cm-320302001002-municipal"
FIRE = "区消防救援大队"
SQUAD_STAFF = bearer("unit_staff", unit=SQUAD)
WATER_STAFF = bearer("unit_staff", unit=WATER)
NOT_SUMMONED = bearer("unit_staff", unit="dt-320303-municipal")


async def whistle(flow: Flow, *departments: str) -> tuple[UUID, dict[str, Any]]:
    """A community's whistle report summoning `departments`; its case id and its summons in Dispatch."""
    blown = {"community_code": COMMUNITY, "summoned_departments": list(departments)}
    case_id = await flow.report(channel="whistle", category_code="09001", whistle=blown)
    await flow.assignment(case_id)
    listed = await flow.dispatch.get(f"/v1/assignments/{case_id}/summons")
    assert listed.status_code == 200, listed.text
    [summons] = listed.json()["items"]
    return case_id, summons


async def report_in(flow: Flow, case_id: UUID, summons: dict[str, Any], headers: dict[str, str],
                    department: str | None = None) -> Any:  # fmt: skip
    body = {} if department is None else {"department": department}
    url = f"/v1/assignments/{case_id}/summons/{summons['summons_id']}/report-in"
    return await flow.dispatch.post(url, json=body, headers=headers)


def departments(summons: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in summons["departments"]}


def minutes(summons: dict[str, Any]) -> timedelta:
    return datetime.fromisoformat(summons["due_at"]) - datetime.fromisoformat(summons["issued_at"])


async def deadline_passes(database: str, summons_id: str) -> None:
    """Make the summons' timer due now: what 30 minutes of waiting would do."""
    conn = await asyncpg.connect(database)
    try:
        moved = await conn.execute("UPDATE dispatch.jobs SET due_at = now() WHERE key = $1 AND state = 'pending'",
                                   f"report_in_due:{summons_id}")  # fmt: skip
    finally:
        await conn.close()
    assert moved == "UPDATE 1"


async def timer_done(database: str, summons_id: str) -> None:
    conn = await asyncpg.connect(database)
    try:
        state = await conn.fetchval("SELECT state FROM dispatch.jobs WHERE key = $1", f"report_in_due:{summons_id}")
    finally:
        await conn.close()
    assert state == "done"


async def history(flow: Flow, case_id: UUID, kind: str) -> list[dict[str, Any]]:
    case = await flow.assignment(case_id)
    return [entry["data"] for entry in case["history"] if entry["type"] == f"dispatch.{kind}"]


async def test_a_whistle_summons_units_by_id_and_trade_and_others_by_name(flow: Flow) -> None:
    case_id, summons = await whistle(flow, SQUAD, "municipal", FIRE)

    assert summons["source"] == "whistle"
    assert summons["community_code"] == COMMUNITY
    assert summons["state"] == "open"
    assert minutes(summons) == timedelta(minutes=30)
    assert [(d["key"], d["unit_code"]) for d in summons["departments"]] == [
        (SQUAD, SQUAD), (STATION, STATION), (FIRE, None),  # the trade's community station; a name with no unit
    ]  # fmt: skip
    assert all(d["reported_in_at"] is None and not d["late"] for d in summons["departments"])
    case = await flow.assignment(case_id)
    assert case["summons"] == [summons]
    assert len(await history(flow, case_id, "SummonsIssued")) == 1


async def test_summoned_units_report_in_once_and_a_dispatcher_reports_in_a_department_with_no_unit(flow: Flow) -> None:
    case_id, summons = await whistle(flow, SQUAD, FIRE)

    squad = await report_in(flow, case_id, summons, SQUAD_STAFF)
    again = await report_in(flow, case_id, summons, SQUAD_STAFF)
    fire = await report_in(flow, case_id, summons, DISPATCHER, FIRE)

    assert squad.status_code == 200, squad.text
    came = departments(squad.json())[SQUAD]
    assert came["reported_in_at"] is not None
    assert came["reported_by"].startswith("user:")
    assert came["late"] is False
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert fire.status_code == 200, fire.text
    assert fire.json()["state"] == "complete"
    reported = await history(flow, case_id, "DepartmentReportedIn")
    assert [(e["department"], e["late"]) for e in reported] == [(SQUAD, False), (FIRE, False)]


async def test_two_report_ins_of_one_unit_at_once_record_one(flow: Flow) -> None:
    case_id, summons = await whistle(flow, SQUAD)

    answers = await asyncio.gather(*(report_in(flow, case_id, summons, SQUAD_STAFF) for _ in range(2)))

    assert sorted(r.status_code for r in answers) == [200, 409]
    assert len(await history(flow, case_id, "DepartmentReportedIn")) == 1


async def test_only_the_summoned_unit_or_a_dispatcher_of_the_area_for_a_nameless_one_reports_in(flow: Flow) -> None:
    case_id, summons = await whistle(flow, SQUAD, FIRE)
    elsewhere = bearer("dispatcher", areas=["320303"])

    not_summoned = await report_in(flow, case_id, summons, NOT_SUMMONED)
    for_another = await report_in(flow, case_id, summons, WATER_STAFF, SQUAD)
    dispatcher_for_a_unit = await report_in(flow, case_id, summons, DISPATCHER, SQUAD)
    outside_the_area = await report_in(flow, case_id, summons, elsewhere, FIRE)
    grid_member = await report_in(flow, case_id, summons, bearer("grid_member", areas=["320302"]), FIRE)
    no_such_summons = await report_in(flow, case_id, {"summons_id": UUID(int=1)}, SQUAD_STAFF)

    assert [r.status_code for r in (not_summoned, for_another, dispatcher_for_a_unit, outside_the_area,
                                    grid_member)] == [403] * 5  # fmt: skip
    assert no_such_summons.status_code == 404
    assert await history(flow, case_id, "DepartmentReportedIn") == []


async def test_a_summoned_unit_sees_the_summons_of_a_case_it_does_not_own(flow: Flow) -> None:
    case_id, summons = await whistle(flow, WATER)

    seen = await flow.dispatch.get(f"/v1/assignments/{case_id}/summons", headers=WATER_STAFF)
    refused = await flow.dispatch.get(f"/v1/assignments/{case_id}/summons", headers=NOT_SUMMONED)
    unknown = await flow.dispatch.get(f"/v1/assignments/{UUID(int=1)}/summons")

    assert [s["summons_id"] for s in seen.json()["items"]] == [summons["summons_id"]]
    assert refused.status_code == 403
    assert unknown.status_code == 404


async def test_a_dispatcher_summons_units_to_any_case_within_their_areas(flow: Flow) -> None:
    case_id = await flow.report()  # an ordinary grid report, no whistle
    await flow.assignment(case_id, "routed")
    url = f"/v1/assignments/{case_id}/summons"

    outside = await flow.dispatch.post(
        url, json={"departments": [SQUAD]}, headers=bearer("dispatcher", areas=["320303"])
    )
    by_a_unit = await flow.dispatch.post(url, json={"departments": [SQUAD]}, headers=SQUAD_STAFF)
    unknown = await flow.dispatch.post(url, json={"departments": ["no-such-unit"]}, headers=DISPATCHER)
    empty = await flow.dispatch.post(url, json={"departments": []}, headers=DISPATCHER)
    issued = await flow.dispatch.post(url, json={"departments": [SQUAD, WATER], "limit_minutes": 45},
                                      headers=DISPATCHER)  # fmt: skip

    assert [r.status_code for r in (outside, by_a_unit, unknown, empty)] == [403, 403, 409, 422]
    assert issued.status_code == 201, issued.text
    summons = issued.json()
    assert summons["source"] == "dispatcher"
    assert summons["issued_by"].startswith("user:")
    assert minutes(summons) == timedelta(minutes=45)
    assert list(departments(summons)) == [SQUAD, WATER]
    assert (await flow.assignment(case_id))["summons"] == [summons]


async def test_a_department_not_reported_in_by_the_deadline_is_late_and_may_still_report_in(
    flow: Flow, database: str
) -> None:
    case_id, summons = await whistle(flow, SQUAD, WATER)
    await report_in(flow, case_id, summons, SQUAD_STAFF)

    await deadline_passes(database, summons["summons_id"])

    async def flagged() -> list[dict[str, Any]]:
        late = await history(flow, case_id, "DepartmentLate")
        assert late
        return late

    [late] = await eventually(flagged)
    assert late["department"] == WATER
    assert datetime.fromisoformat(late["due_at"]) == datetime.fromisoformat(summons["due_at"])
    listed = (await flow.dispatch.get(f"/v1/assignments/{case_id}/summons")).json()["items"][0]
    assert departments(listed)[WATER]["late"] is True
    assert departments(listed)[SQUAD]["late"] is False
    came_late = await report_in(flow, case_id, summons, WATER_STAFF)
    assert came_late.status_code == 200, came_late.text
    assert departments(came_late.json())[WATER]["late"] is True
    assert came_late.json()["state"] == "complete"


async def test_a_deadline_passed_while_dispatch_was_down_flags_the_department_once_after_restart(
    stack: Stack, database: str, topics_for: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_city(tmp_path / "city")
    intake = intake_app(IntakeSettings(**service_env(stack, database, topics_for, "intake"), CITY_CONFIG=folder))
    monkeypatch.setenv("DISPATCH_REPORT_IN_MINUTES", "20")
    settings = DispatchSettings(**service_env(stack, database, topics_for, "dispatch"), CITY_CONFIG=folder,
                                timer_poll_seconds=0.05)  # fmt: skip
    async with running(intake) as intake_client:
        first = dispatch_app(settings)
        async with running(first) as client:
            flow = Flow(first.state.context.city, intake_client, client, first)
            case_id, summons = await whistle(flow, SQUAD, FIRE)
            assert minutes(summons) == timedelta(minutes=20)  # DISPATCH_REPORT_IN_MINUTES
            await report_in(flow, case_id, summons, SQUAD_STAFF)
            assert await history(flow, case_id, "DepartmentLate") == []  # not due for 20 minutes

        await deadline_passes(database, summons["summons_id"])  # while no Dispatch runs

        second = dispatch_app(settings)
        async with running(second) as client:
            flow = Flow(second.state.context.city, intake_client, client, second)

            async def flagged() -> list[dict[str, Any]]:
                await timer_done(database, summons["summons_id"])
                return await history(flow, case_id, "DepartmentLate")

            late = await eventually(flagged)

    assert [e["department"] for e in late] == [FIRE]  # once, and not the squad that came
