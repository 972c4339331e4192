"""The whole loop across the services: a grid report through Intake is routed and signed for in
Dispatch, disposed, verified and called back in Closure, and at each step Intake's Open311 record
and the grid app's callbacks say where it stands (tests/closure/loop_rig.py).

The Closure steps run as its routes do, through `application.commands.act` with real Principals:
its HTTP routes were not on main yet (see loop_rig.py).
"""

from __future__ import annotations

import pytest

from casekit.errors import Forbidden, RuleViolation
from tests.closure.loop_rig import (
    CALLER_BACK,
    REPORTER,
    STATION,
    STATION_NAME,
    STATION_STAFF,
    VERIFIER,
    Loop,
    loop_fixture,  # noqa: F401 - the fixture `loop`
)
from tests.intake.callbacks_rig import receiver  # noqa: F401 - the loop's callback receiver

PHOTO = "https://img.example.cn/disposal/1.jpg"
RECEIVED: tuple[str, str | None] = ("received", None)
DISPATCHED = ("dispatched", f"已派遣至 {STATION_NAME}")
ACCEPTED = ("accepted", "责任单位已签收")
DISPOSED = ("disposed", "责任单位已处置，待核查")
CLOSED = ("closed", "核查通过，已结案")
CALLED_BACK = ("closed", "已回访，已结案")


async def test_a_grid_report_goes_round_the_loop_and_open311_and_the_callbacks_say_so_at_each_step(
    loop: Loop,
) -> None:
    case_id, number = await loop.report()

    routed = await loop.open311(number, "open", DISPATCHED[1])
    opened = await loop.closure_case(case_id)
    await loop.sign_for(case_id)
    await loop.open311(number, "open", ACCEPTED[1])
    await loop.closure_case(case_id, lambda state: state.signed_for)

    disposed = await loop.closure_step(case_id, "disposal", STATION_STAFF, method="service",
                                       notes="已清理暴露垃圾", photo_urls=[PHOTO])  # fmt: skip
    await loop.open311(number, "open", DISPOSED[1])
    with pytest.raises(Forbidden):  # the unit that did the work does not verify it
        await loop.closure_step(case_id, "verification", STATION_STAFF, passed=True)
    verified = await loop.closure_step(case_id, "verification", VERIFIER, passed=True, photo_urls=[PHOTO])
    closed = await loop.open311(number, "closed", CLOSED[1])
    called_back = await loop.closure_step(case_id, "callback", CALLER_BACK, result="satisfied")
    after = await loop.open311(number, "closed", CALLED_BACK[1])

    await loop.deliveries(case_id, RECEIVED, DISPATCHED, ACCEPTED, DISPOSED, CLOSED, CALLED_BACK)
    events = await loop.closure_events(case_id)
    assert routed["service_request_id"] == number
    assert routed["agency_responsible"] == STATION_NAME
    assert opened.case_number == number
    assert opened.unit_code == STATION
    assert (disposed, verified, called_back) == ("disposed", "closed", "closed")
    assert closed["agency_responsible"] == STATION_NAME
    assert after["updated_datetime"] >= closed["updated_datetime"]
    assert [(kind, actor) for kind, _, actor in events] == [
        ("closure.ClosureOpened", "system:closure"),
        ("closure.SignForNoted", "system:closure"),
        ("closure.DisposalReported", STATION_STAFF.actor),
        ("closure.VerificationPassed", VERIFIER.actor),
        ("closure.CaseClosed", VERIFIER.actor),
        ("closure.CallbackRecorded", CALLER_BACK.actor),
    ]
    assert events[0][1]["case_number"] == number
    assert events[4][1]["kind"] == "normal"
    assert events[5][1]["result"] == "satisfied"
    row = await loop.closure_row(case_id)
    assert row is not None
    assert (row.case_number, row.status, row.callback_result) == (number, "closed", "satisfied")


async def test_a_self_disposed_grid_report_opens_disposed_and_closes_once_another_grid_member_verifies_it(
    loop: Loop,
) -> None:
    case_id, number = await loop.report(self_disposed=True, self_disposal_photo_url=PHOTO)

    fixed = await loop.open311(number, "open", "网格员已现场处置，待核查")
    state = await loop.closure_case(case_id)
    with pytest.raises(Forbidden):  # who fixed it may not verify it
        await loop.closure_step(case_id, "verification", REPORTER, passed=True)
    with pytest.raises(RuleViolation):  # nothing to call back before it is closed
        await loop.closure_step(case_id, "callback", CALLER_BACK, result="satisfied")
    verified = await loop.closure_step(case_id, "verification", VERIFIER, passed=True, photo_urls=[PHOTO])
    closed = await loop.open311(number, "closed", CLOSED[1])

    disposed = ("disposed", "网格员已现场处置，待核查")
    await loop.deliveries(case_id, RECEIVED, disposed, CLOSED)
    events = await loop.closure_events(case_id)
    assert fixed["agency_responsible"] is None
    assert closed["status"] == "closed"
    assert (state.status, state.self_disposed, state.case_number) == ("disposed", True, number)
    assert state.disposed_by == REPORTER.actor
    assert state.unit_code == STATION  # who answers for it should verification fail
    assert verified == "closed"
    assert [kind for kind, _, _ in events] == [
        "closure.ClosureOpened",
        "closure.DisposalReported",
        "closure.VerificationPassed",
        "closure.CaseClosed",
    ]
    assert events[1][1]["photo_urls"] == [PHOTO]
    assert events[1][1]["reported_by"] == REPORTER.actor
