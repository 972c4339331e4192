"""Who sees and acts on which case in Closure over HTTP, and the work lists (待办, 超期, 即将到期)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from casekit.envelope import utc_now
from schemas.dispatch import TimeLimit
from tests.closure.api_rig import (
    CALLBACK,
    DISPATCHER,
    GRID_MEMBER,
    HOUR_1,
    OTHER_DISPATCHER,
    OTHER_GRID_MEMBER,
    OTHER_UNIT,
    SHIFT_LEAD,
    STATION,
    SUPERVISOR,
    UNIT,
    WATER,
    Rig,
    at,
    rig_fixture,  # noqa: F401
)
from tests.conftest import bearer
from tests.dispatch.city_fixture import COMMUNITY, OTHER_DISTRICT_GRID


async def test_another_units_staff_neither_see_nor_touch_a_case(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.ok(case_id, "start", UNIT)
    await rig.ok(case_id, "park", DISPATCHER, reason="待协调")

    read = await rig.client.get(f"/v1/cases/{case_id}", headers=OTHER_UNIT)
    start = await rig.post(case_id, "start", OTHER_UNIT)  # started and parked: visibility is said first
    resume = await rig.post(case_id, "resume", OTHER_UNIT)
    unknown = await rig.client.get(f"/v1/cases/{uuid.uuid4()}", headers=OTHER_UNIT)
    unknown_act = await rig.post(uuid.uuid4(), "start", UNIT)

    assert read.status_code == 403
    assert read.headers["content-type"].startswith("application/problem+json")
    assert (start.status_code, resume.status_code) == (403, 403)
    assert "may see" in start.json()["detail"]
    assert (unknown.status_code, unknown_act.status_code) == (404, 404)
    assert str(case_id) not in await rig.listed(OTHER_UNIT)
    assert str(case_id) in await rig.listed(UNIT)
    assert (await rig.case(case_id))["status"] == "parked"


async def test_a_grid_member_verifies_only_in_their_areas(rig: Rig) -> None:
    case_id = await rig.route()
    early = await rig.post(case_id, "verification", OTHER_GRID_MEMBER, passed=True)  # not disposed: 403 first
    await rig.dispose(case_id)

    read = await rig.client.get(f"/v1/cases/{case_id}", headers=OTHER_GRID_MEMBER)
    verify = await rig.post(case_id, "verification", OTHER_GRID_MEMBER, passed=True)
    no_areas = await rig.post(case_id, "verification", bearer("grid_member", subject="grid-none"), passed=True)
    far_supervisor = await rig.post(case_id, "verification", bearer("supervisor", areas=["320303"]), passed=True)
    ours = await rig.ok(case_id, "verification", GRID_MEMBER, passed=True)

    assert [r.status_code for r in (early, read, verify, no_areas, far_supervisor)] == [403] * 5
    assert str(case_id) not in await rig.listed(OTHER_GRID_MEMBER)
    assert str(case_id) in await rig.listed(GRID_MEMBER)
    assert ours["status"] == "closed"


async def test_only_the_callback_team_calls_back(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.closed(case_id)

    refused = [await rig.post(case_id, "callback", who, result="satisfied")
               for who in (SUPERVISOR, UNIT, SHIFT_LEAD, GRID_MEMBER, DISPATCHER)]  # fmt: skip
    called = await rig.ok(case_id, "callback", CALLBACK, result="satisfied")

    assert [r.status_code for r in refused] == [403] * 5
    assert called["callback_result"] == "satisfied"
    assert (await rig.case(case_id))["history"][-1]["data"]["called_by"] == "user:cb-liu"
    assert (await rig.case(case_id))["history"][-1]["data"]["source"] == "callback_team"


async def test_a_dispatcher_parks_only_in_their_district_and_a_unit_may_not_park(rig: Rig) -> None:
    case_id = await rig.route()

    far = await rig.post(case_id, "park", OTHER_DISPATCHER, reason="待协调")
    by_unit = await rig.post(case_id, "park", UNIT, reason="待协调")
    call_taker = await rig.client.get("/v1/cases", headers=bearer("call_taker"))
    parked = await rig.ok(case_id, "park", DISPATCHER, reason="待协调")

    assert (far.status_code, by_unit.status_code, call_taker.status_code) == (403, 403, 403)
    assert parked["status"] == "parked"


async def test_work_lists_by_unit_status_area_and_due_soon(rig: Rig) -> None:
    soon = await rig.route(disposal=HOUR_1)
    later = await rig.route(disposal=TimeLimit(amount=5, unit="working_days"))
    disposed = await rig.route()
    await rig.dispose(disposed)
    water = await rig.route(unit=WATER)
    elsewhere = await rig.route(unit=WATER, area=OTHER_DISTRICT_GRID)

    mine = await rig.listed(UNIT)
    asked_for_water = await rig.listed(UNIT, unit=WATER)
    open_ones = await rig.listed(UNIT, status="open")
    due_soon = await rig.listed(UNIT, due_within_hours=2)
    due_before = await rig.listed(UNIT, due_before=(utc_now() + timedelta(hours=2)).isoformat())
    in_community = await rig.listed(area_code=COMMUNITY)
    dispatcher = await rig.listed(DISPATCHER)
    supervisor = await rig.listed(SUPERVISOR)
    bad = await rig.client.get("/v1/cases", params={"due_before": "2025-01-01T10:00"})

    assert mine == [str(disposed), str(later), str(soon)]  # newest first
    assert asked_for_water == []
    assert open_ones == [str(later), str(soon)]
    assert due_soon == due_before == [str(disposed), str(soon)]  # its verification is due within the hour
    assert set(in_community) == {str(soon), str(later), str(disposed), str(water)}
    assert set(dispatcher) == {str(soon), str(later), str(disposed), str(water)}
    assert set(supervisor) == {str(soon), str(later), str(disposed), str(water), str(elsewhere)}
    assert bad.status_code == 422


async def test_a_unit_pages_through_its_cases(rig: Rig) -> None:
    cases = [await rig.route() for _ in range(3)]

    first = (await rig.client.get("/v1/cases", params={"limit": 2}, headers=UNIT)).json()
    rest = (await rig.client.get("/v1/cases", params={"limit": 2, "cursor": first["next_cursor"]},
                                 headers=UNIT)).json()  # fmt: skip

    assert [item["case_id"] for item in first["items"] + rest["items"]] == [str(c) for c in reversed(cases)]
    assert rest["next_cursor"] is None


async def test_an_overdue_case_is_marked_escalated_and_listed_as_overdue(rig: Rig) -> None:
    monday = datetime.fromisoformat("2025-01-06T09:00:00+08:00")  # due 10:00, escalated 4 working hours later
    late = await rig.route(routed_at=monday, disposal=HOUR_1)
    on_time = await rig.route()

    case = await rig.eventually_case(late, lambda c: c["escalated"] == ["disposal"])
    overdue = await rig.listed(UNIT, overdue="true")
    not_overdue = await rig.listed(UNIT, overdue="false")

    assert case["overdue"] == ["disposal"]
    [deadline] = case["deadlines"]
    assert (deadline["overdue"], deadline["escalated"]) == (True, True)
    assert at(deadline["due_at"]) == datetime.fromisoformat("2025-01-06T10:00:00+08:00")
    types = await rig.types(late)
    assert types.count("DeadlineOverdue") == 1
    assert types.count("CaseEscalated") == 1
    escalated = case["history"][-1]["data"]
    assert (escalated["to_level"], escalated["to_area_code"]) == ("street", COMMUNITY[:9])
    assert overdue == [str(late)]
    assert not_overdue == [str(on_time)]
    assert (await rig.case(on_time))["overdue"] == []
    assert case["unit_code"] == STATION
