"""Confirmation on site (核实) and self-disposal (自行处置), end to end through Intake and Dispatch."""

from __future__ import annotations

from uuid import UUID

from tests.conftest import bearer, eventually
from tests.dispatch.city_fixture import COMMUNITY, GRID, OTHER_COMMUNITY
from tests.dispatch.rig import Flow

GRID_MEMBER = bearer("grid_member", areas=[COMMUNITY])
ELSEWHERE = bearer("grid_member", areas=[OTHER_COMMUNITY])
PHOTO = "https://photos.example.org/after.jpg"


async def test_a_hotline_report_is_routed_only_once_a_grid_member_of_its_area_confirms_it(flow: Flow) -> None:
    case_id = await flow.report(channel="hotline")
    waiting = await flow.assignment(case_id, "awaiting_confirmation")

    not_theirs = await flow.act(case_id, "confirm", ELSEWHERE)
    a_unit = await flow.act(case_id, "sign-for", bearer("unit_staff", unit="cm-320302001002-sanitation"))
    confirmed = await flow.act(case_id, "confirm", GRID_MEMBER, note="现场属实")

    assert waiting["confirmation_due_at"] is not None
    assert waiting["lead_unit"] is None
    assert not_theirs.status_code == 403
    assert a_unit.status_code == 403  # nobody's case yet
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "routed"
    assert confirmed.json()["lead_unit"] == "cm-320302001002-sanitation"
    history = [entry["type"] for entry in (await flow.assignment(case_id))["history"]]
    assert history == ["dispatch.AssignmentOpened", "dispatch.ConfirmationRequested", "dispatch.CaseConfirmed",
                       "dispatch.CaseRouted"]  # fmt: skip


async def test_a_report_rejected_on_site_is_voided_with_its_reason(flow: Flow) -> None:
    case_id = await flow.report(channel="public")
    await flow.assignment(case_id, "awaiting_confirmation")

    rejected = await flow.act(case_id, "reject", GRID_MEMBER, reason="not_found_on_site", note="现场无垃圾")
    confirmed_after = await flow.act(case_id, "confirm", GRID_MEMBER)

    assert rejected.json()["status"] == "voided"
    assert confirmed_after.status_code == 409
    voided = (await flow.assignment(case_id))["history"][-1]
    assert voided["type"] == "dispatch.CaseVoided"
    assert (voided["data"]["reason"], voided["data"]["note"]) == ("not_found_on_site", "现场无垃圾")

    async def told() -> None:
        public = await flow.intake.get(f"/v1/reports/{case_id}")
        assert public.json()["status"] == "voided"

    await eventually(told)


async def test_a_confirmation_past_its_limit_is_flagged_once_by_the_timer_and_counted_late(flow: Flow) -> None:
    case_id = await flow.report(channel="hotline")
    await flow.assignment(case_id, "awaiting_confirmation")

    # An hour passes: the durable timer's due time is moved to now, as the clock would.
    await flow.app.state.runtime.pool.execute(
        "UPDATE jobs SET due_at = now() WHERE queue = 'dispatch-timers' AND correlation_id = $1", case_id
    )

    async def flagged() -> list[str]:
        types = [entry["type"] for entry in (await flow.assignment(case_id))["history"]]
        assert "dispatch.ConfirmationOverdue" in types
        return types

    types = await eventually(flagged)
    confirmed = await flow.act(case_id, "confirm", GRID_MEMBER)

    assert types.count("dispatch.ConfirmationOverdue") == 1
    assert confirmed.status_code == 200
    confirmation = [e for e in (await flow.assignment(case_id))["history"] if e["type"] == "dispatch.CaseConfirmed"]
    assert confirmation[0]["data"]["late"] is True


async def test_a_self_disposed_grid_report_goes_to_closure_not_to_a_unit(flow: Flow) -> None:
    case_id = await flow.report(self_disposed=True, self_disposal_photo_url=PHOTO)

    case = await flow.assignment(case_id, "self_disposed")

    assert case["lead_unit"] is None
    recorded = case["history"][-1]
    assert recorded["type"] == "dispatch.SelfDisposalRecorded"
    assert (recorded["data"]["area_code"], recorded["data"]["photo_url"]) == (GRID, PHOTO)
    listed = await flow.dispatch.get("/v1/assignments", params={"status": "self_disposed"})
    assert [UUID(item["case_id"]) for item in listed.json()["items"]] == [case_id]
