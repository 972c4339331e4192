"""Closure over HTTP: each step of the loop, and each refused one changing nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
    local,
    rig_fixture,  # noqa: F401
)
from tests.conftest import bearer
from tests.dispatch.city_fixture import GRID


async def test_a_case_goes_through_the_loop_over_http(rig: Rig) -> None:
    case_id = await rig.route()

    opened = await rig.case(case_id)
    started = await rig.ok(case_id, "start", UNIT, note="出发")
    notice = "徐城罚〔2025〕1号"
    disposed = await rig.ok(case_id, "disposal", UNIT, method="enforcement", notes="已立案处罚",
                            photo_urls=["https://img.example/1.jpg"], penalty_notice_number=notice)  # fmt: skip
    to_verify = await rig.case(case_id)
    verified = await rig.ok(case_id, "verification", GRID_MEMBER, passed=True, note="现场已整改")
    to_call = await rig.case(case_id)
    called = await rig.ok(case_id, "callback", CALLBACK, result="satisfied", note="居民满意")

    assert (opened["status"], opened["unit_code"], opened["area_code"]) == ("open", STATION, GRID)
    [disposal] = opened["deadlines"]
    assert disposal["stage"] == "disposal"
    assert disposal["limit"] == {"amount": 4, "unit": "hours"}
    assert all(local(disposal[key]) for key in ("started_at", "warn_at", "due_at"))
    assert disposal["running"]
    assert not disposal["overdue"]
    assert opened["next_stage"] == "disposal"
    assert local(opened["next_due_at"])
    assert started["status"] == "open"
    assert disposed["status"] == "disposed"
    assert [d["stage"] for d in to_verify["deadlines"]] == ["verification"]
    assert to_verify["disposed_by"] == "user:li-station"
    assert (verified["status"], verified["closure_kind"]) == ("closed", "normal")
    assert [d["stage"] for d in to_call["deadlines"]] == ["callback"]
    assert (called["status"], called["callback_result"]) == ("closed", "satisfied")
    detail = await rig.case(case_id)
    assert [entry["type"] for entry in detail["history"]] == [
        "closure.ClosureOpened", "closure.DisposalStarted", "closure.DisposalReported", "closure.VerificationPassed",
        "closure.CaseClosed", "closure.CallbackRecorded",
    ]  # fmt: skip
    reported = detail["history"][2]
    assert reported["data"]["penalty_notice_number"] == "徐城罚〔2025〕1号"
    assert reported["data"]["reported_by"] == "user:li-station"
    assert local(reported["at"])
    assert local(reported["data"]["verification"]["due_at"])
    assert detail["callback_done"] is True
    assert detail["deadlines"] == []


async def refused(rig: Rig, case_id: UUID, action: str, headers: dict[str, str], status: int,
                  **body: Any) -> dict[str, Any]:  # fmt: skip
    """The step is refused with `status` as problem+json, and the case's history is as it was."""
    before = await rig.types(case_id)
    response = await rig.post(case_id, action, headers, **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await rig.types(case_id) == before
    problem: dict[str, Any] = response.json()
    return problem


async def test_closing_a_case_never_disposed_is_refused(rig: Rig) -> None:
    case_id = await rig.route()

    problem = await refused(rig, case_id, "close", SHIFT_LEAD, 409, reason="无法处置")

    assert "never disposed" in problem["detail"]


async def test_verifying_your_own_work_is_refused(rig: Rig) -> None:
    both = bearer(["unit_staff", "supervisor"], unit=STATION, subject="zhao-both")
    colleague = bearer("supervisor", unit=STATION, subject="qian-colleague")
    case_id = await rig.route()
    await rig.dispose(case_id, both)

    mine = await refused(rig, case_id, "verification", both, 403, passed=True)
    ours = await refused(rig, case_id, "verification", colleague, 403, passed=True)
    by_the_unit = await refused(rig, case_id, "verification", UNIT, 403, passed=True)
    verified = await rig.ok(case_id, "verification", SUPERVISOR, passed=True)

    assert "did not do the work" in mine["detail"]
    assert "did not do the work" in ours["detail"]
    assert "may not" in by_the_unit["detail"]  # unit staff are not verifiers at all
    assert verified["status"] == "closed"


async def test_a_callback_on_an_open_case_is_refused(rig: Rig) -> None:
    case_id = await rig.route()

    problem = await refused(rig, case_id, "callback", CALLBACK, 409, result="satisfied")

    assert "closed case" in problem["detail"]


async def test_a_parked_case_is_not_disposed_of_until_it_resumes(rig: Rig) -> None:
    case_id = await rig.route()
    parked = await rig.ok(case_id, "park", DISPATCHER, reason="待拆迁")

    problem = await refused(rig, case_id, "disposal", UNIT, 409, method="service", notes="已处理")
    start = await refused(rig, case_id, "start", UNIT, 409)
    again = await refused(rig, case_id, "park", SHIFT_LEAD, 409, reason="又一次")
    resumed = await rig.ok(case_id, "resume", UNIT, note="拆迁完成")
    disposed = await rig.dispose(case_id)

    assert parked["status"] == "parked"
    assert "parked" in problem["detail"]
    assert "parked" in start["detail"]
    assert "parked" in again["detail"]
    assert resumed["status"] == "open"
    assert disposed["status"] == "disposed"


async def test_review_resume_and_void_out_of_turn_are_refused(rig: Rig) -> None:
    case_id = await rig.route()
    await refused(rig, case_id, "resume", DISPATCHER, 409, note="?")
    await refused(rig, case_id, "review", SUPERVISOR, 409, decision="uphold")
    await rig.closed(case_id)

    not_in_review = await refused(rig, case_id, "review", SHIFT_LEAD, 409, decision="reopen")
    void = await refused(rig, case_id, "void", SHIFT_LEAD, 409, reason="重复案件")
    dispose = await refused(rig, case_id, "disposal", UNIT, 409, method="service", notes="再处理")
    verify = await refused(rig, case_id, "verification", SECOND_GRID_MEMBER, 409, passed=True)

    assert "not in review" in not_in_review["detail"]
    assert "cannot be voided" in void["detail"]
    assert "closed" in dispose["detail"]
    assert "only a disposed case" in verify["detail"]


async def test_a_unit_starts_once_and_disposes_once_per_round(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.ok(case_id, "start", UNIT)

    await refused(rig, case_id, "start", UNIT, 409)
    await rig.dispose(case_id)
    twice = await refused(rig, case_id, "disposal", UNIT, 409, method="service", notes="again")

    assert "waits for verification" in twice["detail"]


async def test_bad_bodies_are_422_and_change_nothing(rig: Rig) -> None:
    case_id = await rig.route()
    photos = [f"https://img.example/{n}.jpg" for n in range(10)]

    no_notice = await refused(rig, case_id, "disposal", UNIT, 422, method="enforcement", notes="罚款")
    ten = await refused(rig, case_id, "disposal", UNIT, 422, method="service", notes="x", photo_urls=photos)
    ftp = await refused(rig, case_id, "disposal", UNIT, 422, method="service", notes="x",
                        photo_urls=["ftp://img.example/1.jpg"])  # fmt: skip
    method = await refused(rig, case_id, "disposal", UNIT, 422, method="persuasion", notes="x")
    result = await refused(rig, case_id, "callback", CALLBACK, 422, result="happy")
    decision = await refused(rig, case_id, "review", SUPERVISOR, 422, decision="maybe")
    blank = await refused(rig, case_id, "park", DISPATCHER, 422, reason="   ")

    assert "penalty notice number" in no_notice["errors"][0]["message"]
    for problem in (ten, ftp, method, result, decision, blank):
        assert problem["errors"], problem
    assert ten["errors"][0]["path"] == "/body/photo_urls"


async def test_void_by_a_shift_lead_with_its_reason_and_note(rig: Rig) -> None:
    case_id = await rig.route()

    by_dispatcher = await refused(rig, case_id, "void", DISPATCHER, 403, reason="无效")
    voided = await rig.ok(case_id, "void", SHIFT_LEAD, reason="重复案件", note="与 2025-001 重复")
    after = await rig.case(case_id)
    again = await refused(rig, case_id, "void", SHIFT_LEAD, 409, reason="重复案件")

    assert "may not" in by_dispatcher["detail"]
    assert voided["status"] == "voided"
    assert voided["next_due_at"] is None
    assert after["deadlines"] == []
    entry = after["history"][-1]
    assert entry["type"] == "closure.ClosureVoided"
    assert (entry["data"]["reason"], entry["data"]["note"]) == ("重复案件", "与 2025-001 重复")
    assert (entry["data"]["approval"], entry["data"]["approved_by"]) == ("closure", "user:lead-sun")
    assert "cannot be voided" in again["detail"]


async def test_a_parked_case_is_closed_as_a_special_case_by_a_shift_lead(rig: Rig) -> None:
    case_id = await rig.route()
    await rig.ok(case_id, "park", SHIFT_LEAD, reason="历史遗留, 无法处置")

    by_supervisor = await refused(rig, case_id, "close", SUPERVISOR, 403, reason="特殊")
    closed = await rig.ok(case_id, "close", SHIFT_LEAD, reason="区政府批准特殊结案")
    called = await rig.ok(case_id, "callback", CALLBACK, result="basically_satisfied")

    assert "may not" in by_supervisor["detail"]
    assert (closed["status"], closed["closure_kind"]) == ("closed", "special")
    assert called["callback_result"] == "basically_satisfied"
    history = (await rig.case(case_id))["history"]
    assert history[-2]["data"]["reason"] == "区政府批准特殊结案"
