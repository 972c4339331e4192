"""Dispatch end to end: reports posted to Intake are routed; units and dispatchers act over HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.dispatch.city_fixture import GRID
from tests.dispatch.rig import DISPATCHER, SQUAD, Flow

STATION = "cm-320302001002-sanitation"
SANITATION = bearer("unit_staff", unit=STATION)
OTHER_UNIT = bearer("unit_staff", unit="dt-320302-water")


async def test_a_report_is_routed_to_its_unit_with_the_reason_and_deadline(flow: Flow) -> None:
    case_id = await flow.report()

    case = await flow.assignment(case_id, "routed")

    assert case["lead_unit"] == STATION
    assert case["area_code"] == GRID
    routing = case["routing"]
    assert routing["rule"] == "sanitation"
    assert routing["reason"]["area_code"] == GRID
    assert [c["unit_code"] for c in routing["reason"]["candidates"] if c["chosen"]] == [STATION]
    assert case["sign_for_due_at"] is not None
    assert [entry["type"] for entry in case["history"]] == ["dispatch.AssignmentOpened", "dispatch.CaseRouted"]
    metrics = (await flow.dispatch.get("/metrics")).text
    assert 'dispatch_routing_decisions_total{kind="routing",outcome="routed",rule="sanitation"} 1.0' in metrics
    assert "dispatch_routing_delay_seconds_count 1.0" in metrics


async def test_a_unit_signs_for_its_case_and_another_unit_may_not(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")

    refused = await flow.act(case_id, "sign-for", OTHER_UNIT)
    signed = await flow.act(case_id, "sign-for", SANITATION)
    again = await flow.act(case_id, "sign-for", SANITATION)

    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed_for"
    assert again.status_code == 409


async def test_a_unit_lists_only_its_own_cases(flow: Flow) -> None:
    ours = await flow.report()
    theirs = await flow.report(category_code="09001")  # street order: the street squad's
    await flow.assignment(ours, "routed")
    await flow.assignment(theirs, "routed")

    listed = await flow.dispatch.get("/v1/assignments", headers=SANITATION)
    asked_for_another = await flow.dispatch.get("/v1/assignments", params={"unit": SQUAD}, headers=SANITATION)

    assert [item["case_id"] for item in listed.json()["items"]] == [str(ours)]
    assert asked_for_another.json()["items"] == []


async def test_a_return_goes_back_to_the_dispatcher_who_reroutes_it_without_the_returner(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")

    returned = await flow.act(case_id, "return", SANITATION, reason="not_our_area", note="在小区内, 物业负责")
    rerouted = await flow.act(case_id, "route", DISPATCHER)

    assert returned.json()["status"] == "returned"
    assert rerouted.status_code == 200, rerouted.text
    assert rerouted.json()["lead_unit"] == "dt-all-sanitation"  # the returner left out
    case = await flow.assignment(case_id)
    assert case["routing"]["kind"] == "reroute"
    assert case["routing"]["reason"]["excluded"] == [STATION]


async def test_a_phone_number_typed_into_a_return_note_is_masked_before_it_is_recorded(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")

    returned = await flow.act(case_id, "return", SANITATION, reason="other", note="物业电话 13800138000 负责")

    assert returned.status_code == 200, returned.text
    [entry] = [e for e in (await flow.assignment(case_id))["history"] if e["type"] == "dispatch.CaseReturned"]
    assert entry["data"]["note"] == "物业电话 138****8000 负责"


async def test_a_second_return_goes_to_review_whose_owner_cannot_return_it(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")
    district = bearer("unit_staff", unit="dt-all-sanitation")

    await flow.act(case_id, "return", SANITATION, reason="not_our_trade")
    await flow.act(case_id, "route", DISPATCHER)
    second = await flow.act(case_id, "return", district, reason="not_our_area")
    rerouting = await flow.act(case_id, "route", DISPATCHER)
    decided = await flow.act(case_id, "review", DISPATCHER, unit_code=STATION, note="属地管理")
    third = await flow.act(case_id, "return", SANITATION, reason="not_our_area")

    assert second.json()["status"] == "in_review"
    assert rerouting.status_code == 409  # review names the owner instead
    assert decided.json()["owner_final"] is True
    assert decided.json()["lead_unit"] == STATION
    assert third.status_code == 409
    assert "责任主体唯一" in third.json()["detail"]


async def test_a_dispatcher_reassigns_only_within_their_areas(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")
    elsewhere = bearer("dispatcher", areas=["320303"])

    refused = await flow.act(case_id, "reassign", elsewhere, unit_code="dt-all-sanitation")
    unknown = await flow.act(case_id, "reassign", DISPATCHER, unit_code="no-such-unit")
    moved = await flow.act(case_id, "reassign", DISPATCHER, unit_code="dt-all-sanitation", note="片区调整")

    assert refused.status_code == 403
    assert unknown.status_code == 409
    assert moved.json()["lead_unit"] == "dt-all-sanitation"
    case = await flow.assignment(case_id)
    assert case["routing"]["kind"] == "reassignment"
    assert case["routing"]["routed_by"].startswith("user:")


async def test_extension_and_park_requests_are_decided_by_a_dispatcher(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")

    unsigned = await flow.act(case_id, "extension", SANITATION, days=3, reason="需要协调物业")
    await flow.act(case_id, "sign-for", SANITATION)
    asked = await flow.act(case_id, "extension", SANITATION, days=3, reason="需要协调物业")
    self_approved = await flow.act(case_id, "extension/decision", SANITATION, approve=True)
    refused = await flow.act(case_id, "extension/decision", DISPATCHER, approve=False, note="时限内可完成")
    asked_again = await flow.act(case_id, "extension", SANITATION, days=2, reason="雨天")
    approved = await flow.act(case_id, "extension/decision", DISPATCHER, approve=True)
    park = await flow.act(case_id, "park", SANITATION, reason="待冬季后施工")
    parked = await flow.act(case_id, "park/decision", DISPATCHER, approve=True)

    assert unsigned.status_code == 409
    assert asked.json()["pending_extension"] == 3
    assert self_approved.status_code == 403
    assert refused.json()["pending_extension"] is None
    assert asked_again.json()["pending_extension"] == 2
    assert approved.json()["pending_extension"] is None
    assert park.json()["pending_park"] == "待冬季后施工"
    assert parked.json()["parked"] is True
    types = [entry["type"] for entry in (await flow.assignment(case_id))["history"]]
    assert types[-6:] == [
        "dispatch.ExtensionRequested", "dispatch.ExtensionRefused", "dispatch.ExtensionRequested",
        "dispatch.ExtensionApproved", "dispatch.ParkRequested", "dispatch.ParkApproved",
    ]  # fmt: skip


async def test_a_case_with_an_assisting_unit_is_signed_for_by_both(flow: Flow) -> None:
    case_id = await flow.report(category_code="01002")  # 污水井盖: water leads, municipal assists
    case = await flow.assignment(case_id, "routed")
    water, municipal = bearer("unit_staff", unit="dt-320302-water"), bearer("unit_staff", unit="dt-320302-municipal")

    assisting = await flow.act(case_id, "sign-for", municipal)
    early_report = await flow.act(case_id, "assist-report", water)
    lead = await flow.act(case_id, "sign-for", water)
    reported = await flow.act(case_id, "assist-report", municipal, note="已更换井盖底座")
    assist_returns = await flow.act(case_id, "return", municipal, reason="not_our_trade")

    assert case["assisting"] == ["dt-320302-municipal"]
    assert assisting.json()["status"] == "routed"  # the lead has not signed yet
    assert early_report.status_code == 409
    assert lead.json()["status"] == "signed_for"
    assert sorted(lead.json()["signed"]) == ["dt-320302-municipal", "dt-320302-water"]
    assert reported.status_code == 200
    assert assist_returns.status_code == 409  # only the lead returns a case


async def test_a_direct_to_street_case_goes_to_the_street_office(flow: Flow) -> None:
    case_id = await flow.report(category_code="06001")  # 私搭乱建

    case = await flow.assignment(case_id, "routed")

    assert case["lead_unit"] == "st-320302001-office"
    assert case["routing"]["reason"]["direct_to_street"] is True
    assert case["assisting"] == [SQUAD]


async def test_a_case_no_unit_covers_waits_unroutable_for_a_dispatcher(flow: Flow) -> None:
    case_id = await flow.report(grid="320303001001001", category_code="09001")  # 云龙区: no street squad here

    case = await flow.assignment(case_id, "unroutable")
    routed = await flow.act(case_id, "route", bearer("dispatcher", areas=["320303"]), unit_code=SQUAD)

    assert "enforcement" in case["history"][-1]["data"]["reason"]
    assert routed.json()["lead_unit"] == SQUAD


async def test_every_unit_action_is_refused_to_another_units_staff_and_every_decision_to_units(flow: Flow) -> None:
    case_id = await flow.report()
    await flow.assignment(case_id, "routed")
    await flow.act(case_id, "sign-for", SANITATION)
    unit_actions: dict[str, dict[str, Any]] = {
        "sign-for": {}, "return": {"reason": "not_our_area"}, "assist-report": {"note": "done"},
        "extension": {"days": 2, "reason": "雨天"}, "park": {"reason": "待施工"},
    }  # fmt: skip
    decisions: dict[str, dict[str, Any]] = {
        "route": {}, "reassign": {"unit_code": "dt-all-sanitation"}, "review": {"unit_code": STATION},
        "extension/decision": {"approve": True}, "park/decision": {"approve": True},
    }  # fmt: skip

    by_another_unit = {action: (await flow.act(case_id, action, OTHER_UNIT, **body)).status_code
                       for action, body in unit_actions.items()}  # fmt: skip
    by_the_unit = {action: (await flow.act(case_id, action, SANITATION, **body)).status_code
                   for action, body in decisions.items()}  # fmt: skip
    by_a_grid_member = (await flow.act(case_id, "sign-for", bearer("grid_member", areas=["320302"]))).status_code

    assert set(by_another_unit.values()) == {403}, by_another_unit
    assert set(by_the_unit.values()) == {403}, by_the_unit
    assert by_a_grid_member == 403
    case = await flow.assignment(case_id)
    assert [entry["type"] for entry in case["history"]][-1] == "dispatch.CaseSignedFor"  # nothing else happened
