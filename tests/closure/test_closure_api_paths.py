"""Closure over HTTP, the longer ways round: rework, reopening and review, park and resume, extension, self-disposal."""

from __future__ import annotations

from casekit.envelope import utc_now
from schemas.dispatch import ExtensionApproved, ParkApproved, TimeLimit
from services.closure.application import reactions
from tests.closure.api_rig import (
    CALLBACK,
    DISPATCHER,
    GRID_MEMBER,
    SECOND_GRID_MEMBER,
    SHIFT_LEAD,
    STATION,
    SUPERVISOR,
    UNIT,
    Rig,
    at,
    local,
    rig_fixture,  # noqa: F401
)


async def test_a_failed_verification_is_reworked_by_the_same_unit_then_passes(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.dispose(case_id)

    failed = await rig.ok(case_id, "verification", GRID_MEMBER, passed=False, note="仍有垃圾",
                          photo_urls=["https://img.example/still.jpg"])  # fmt: skip
    reworking = await rig.case(case_id)
    again = await rig.dispose(case_id)
    passed = await rig.ok(case_id, "verification", GRID_MEMBER, passed=True)

    assert (failed["status"], failed["rework_count"], failed["unit_code"]) == ("open", 1, STATION)
    assert [d["stage"] for d in reworking["deadlines"]] == ["disposal"]
    assert at(reworking["deadlines"][0]["started_at"]) == at(reworking["history"][-1]["data"]["ordered_at"])
    assert again["status"] == "disposed"
    assert (passed["status"], passed["closure_kind"], passed["rework_count"]) == ("closed", "normal", 1)
    types = await rig.types(case_id)
    assert types[2:6] == ["VerificationFailed", "ReworkOrdered", "DisposalReported", "VerificationPassed"]
    detail = await rig.case(case_id)
    assert detail["history"][4]["data"]["round"] == 2


async def test_a_failed_verification_says_what_is_wrong(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.dispose(case_id)

    response = await rig.post(case_id, "verification", GRID_MEMBER, passed=False)

    assert response.status_code == 409
    assert "note" in response.json()["detail"]
    assert (await rig.case(case_id))["status"] == "disposed"


async def test_unsatisfied_reopens_once_then_goes_to_review_which_upholds(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.closed(case_id)

    reopened = await rig.ok(case_id, "callback", CALLBACK, result="unsatisfied", note="垃圾又堆了")
    await rig.closed(case_id)
    reclosed = await rig.case(case_id)
    in_review = await rig.ok(case_id, "callback", CALLBACK, result="unsatisfied", note="还是不满意")
    refused = await rig.post(case_id, "callback", CALLBACK, result="satisfied")
    by_unit = await rig.post(case_id, "review", UNIT, decision="uphold")
    upheld = await rig.ok(case_id, "review", SUPERVISOR, decision="uphold", note="已按标准处置")

    assert (reopened["status"], reopened["reopen_count"], reopened["unit_code"]) == ("open", 1, STATION)
    assert reopened["closure_kind"] is None
    assert reclosed["status"] == "closed"
    assert [d["stage"] for d in reclosed["deadlines"]] == ["callback"]
    assert (in_review["status"], in_review["reopen_count"]) == ("in_review", 1)
    assert refused.status_code == 409
    assert by_unit.status_code == 403
    assert upheld["status"] == "closed"
    types = await rig.types(case_id)
    assert types[-3:] == ["CallbackRecorded", "SatisfactionReviewOpened", "ReviewDecided"]
    assert types.count("CaseReopened") == 1


async def test_a_review_may_reopen_the_case_once_more(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.closed(case_id)
    await rig.ok(case_id, "callback", CALLBACK, result="unsatisfied")
    await rig.closed(case_id)
    await rig.ok(case_id, "callback", CALLBACK, result="unsatisfied")

    reopened = await rig.ok(case_id, "review", SHIFT_LEAD, decision="reopen", note="重新处置")
    detail = await rig.case(case_id)

    assert (reopened["status"], reopened["reopen_count"]) == ("open", 2)
    assert [d["stage"] for d in detail["deadlines"]] == ["disposal"]
    assert detail["history"][-1]["data"]["cause"] == "review"
    assert (await rig.dispose(case_id))["status"] == "disposed"


async def test_an_unreachable_resident_is_called_again(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.closed(case_id)

    unreachable = await rig.ok(case_id, "callback", CALLBACK, result="unreachable")
    pending = await rig.case(case_id)
    satisfied = await rig.ok(case_id, "callback", CALLBACK, result="satisfied")
    twice = await rig.post(case_id, "callback", CALLBACK, result="satisfied")

    assert unreachable["callback_result"] == "unreachable"
    assert pending["callback_done"] is False
    assert [d["stage"] for d in pending["deadlines"]] == ["callback"]
    assert satisfied["callback_result"] == "satisfied"
    assert twice.status_code == 409


async def test_a_park_stops_the_clock_and_the_resume_gives_back_the_time_left(rig: Rig) -> None:
    case_id = await rig.route(disposal=TimeLimit(amount=3, unit="hours"))
    before = (await rig.case(case_id))["deadlines"][0]

    parked = await rig.ok(case_id, "park", DISPATCHER, reason="待拆迁")
    while_parked = await rig.case(case_id)
    listed_soon = await rig.listed(due_within_hours=24)
    await rig.ok(case_id, "resume", DISPATCHER, note="可以处置了")
    after = await rig.case(case_id)

    assert parked["next_due_at"] is None
    assert while_parked["parked"] is True
    assert [d["running"] for d in while_parked["deadlines"]] == [False]
    assert str(case_id) not in listed_soon
    parked_at = at(while_parked["history"][-1]["data"]["parked_at"])
    resumed_at = at(after["history"][-1]["data"]["resumed_at"])
    [moved] = after["deadlines"]
    assert resumed_at > parked_at
    assert at(moved["due_at"]) == at(before["due_at"]) + (resumed_at - parked_at)
    assert at(moved["warn_at"]) == at(before["warn_at"]) + (resumed_at - parked_at)
    assert moved["running"] is True
    assert local(moved["due_at"])
    assert after["history"][-2]["data"]["approval"] == "closure"
    assert str(case_id) in await rig.listed(due_within_hours=24)


async def test_a_park_approved_in_dispatch_is_resumed_by_the_unit(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.react(reactions.on_park_approved, ParkApproved(
        case_id=case_id, unit_code=STATION, reason="需市级协调", decided_by="user:disp-zhou", decided_at=utc_now(),
    ))  # fmt: skip

    parked = await rig.case(case_id)
    resumed = await rig.ok(case_id, "resume", UNIT)

    assert parked["status"] == "parked"
    assert (parked["history"][-1]["data"]["approval"], parked["history"][-1]["data"]["reason"]) == (
        "dispatch", "需市级协调")  # fmt: skip
    assert resumed["status"] == "open"


async def test_an_extension_approved_in_dispatch_moves_the_disposal_deadline(rig: Rig) -> None:
    case_id = await rig.route(disposal=TimeLimit(amount=2, unit="working_days"))
    before = (await rig.case(case_id))["deadlines"][0]
    await rig.react(reactions.on_extension_approved, ExtensionApproved(
        case_id=case_id, unit_code=STATION, days=3, decided_by="user:disp-zhou", decided_at=utc_now(),
    ))  # fmt: skip

    after = await rig.case(case_id)

    calendar = rig.closure.city.calendar
    expected = calendar.due(at(before["due_at"]), TimeLimit(amount=3, unit="working_days"))
    assert at(after["deadlines"][0]["due_at"]) == expected
    assert at(after["next_due_at"]) == expected
    entry = after["history"][-1]
    assert (entry["type"], entry["data"]["days"]) == ("closure.DeadlineExtended", 3)
    assert at(entry["data"]["previous_due_at"]) == at(before["due_at"])


async def test_a_self_disposal_is_verified_by_another_grid_member_not_the_reporter(rig: Rig) -> None:
    case_id = await rig.self_disposal(by="user:grid-zhang")

    opened = await rig.case(case_id)
    by_reporter = await rig.post(case_id, "verification", GRID_MEMBER, passed=True)
    by_colleague = await rig.ok(case_id, "verification", SECOND_GRID_MEMBER, passed=True, note="确已清理")

    assert (opened["status"], opened["self_disposed"], opened["disposed_by"]) == ("disposed", True, "user:grid-zhang")
    assert [d["stage"] for d in opened["deadlines"]] == ["verification"]
    assert by_reporter.status_code == 403
    assert "did not do the work" in by_reporter.json()["detail"]
    assert (by_colleague["status"], by_colleague["closure_kind"]) == ("closed", "normal")
    assert await rig.types(case_id) == [
        "ClosureOpened", "DisposalReported", "VerificationPassed", "CaseClosed",
    ]  # fmt: skip


async def test_a_failed_self_disposal_goes_to_the_unit_the_rules_name(rig: Rig) -> None:
    case_id = await rig.self_disposal(by="user:grid-zhang")

    failed = await rig.ok(case_id, "verification", SUPERVISOR, passed=False, note="没有清理干净")
    disposed = await rig.dispose(case_id)

    assert (failed["status"], failed["unit_code"], failed["rework_count"]) == ("open", STATION, 1)
    assert disposed["status"] == "disposed"
