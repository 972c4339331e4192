"""The whole loop across the services, over HTTP: a grid report through Intake is routed and signed
for in Dispatch, disposed, verified and called back in Closure, and at each step Intake's Open311
record and the grid app's callbacks say where it stands (tests/closure/loop_rig.py).
"""

from __future__ import annotations

from typing import Any

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


def stages(case: dict[str, Any]) -> list[str]:
    """The stages of the deadlines in force on a case as Closure's API shows it."""
    return [deadline["stage"] for deadline in case["deadlines"]]


async def test_a_grid_report_goes_round_the_loop_and_open311_and_the_callbacks_say_so_at_each_step(
    loop: Loop,
) -> None:
    case_id, number = await loop.report()

    routed = await loop.open311(number, "open", DISPATCHED[1])
    opened = await loop.closure_case(case_id)
    await loop.sign_for(case_id)
    await loop.open311(number, "open", ACCEPTED[1])
    signed = await loop.closure_case(case_id, lambda case: "sign_for" not in stages(case))

    disposed = await loop.closure_done(case_id, "disposal", STATION_STAFF, method="service",
                                       notes="已清理暴露垃圾", photo_urls=[PHOTO])  # fmt: skip
    await loop.open311(number, "open", DISPOSED[1])
    own_work = await loop.closure_step(case_id, "verification", STATION_STAFF, passed=True)
    verified = await loop.closure_done(case_id, "verification", VERIFIER, passed=True, photo_urls=[PHOTO])
    closed = await loop.open311(number, "closed", CLOSED[1])
    called_back = await loop.closure_done(case_id, "callback", CALLER_BACK, result="satisfied")
    after = await loop.open311(number, "closed", CALLED_BACK[1])

    await loop.deliveries(case_id, RECEIVED, DISPATCHED, ACCEPTED, DISPOSED, CLOSED, CALLED_BACK)
    events = await loop.closure_events(case_id)
    assert routed["service_request_id"] == number
    assert routed["agency_responsible"] == STATION_NAME
    assert (opened["case_number"], opened["unit_code"], opened["status"]) == (number, STATION, "open")
    assert "sign_for" in stages(opened)
    assert stages(signed) == ["disposal"]
    assert own_work.status_code == 403  # the unit that did the work does not verify it
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
    opened = await loop.closure_case(case_id)
    by_the_fixer = await loop.closure_step(case_id, "verification", REPORTER, passed=True)
    too_early = await loop.closure_step(case_id, "callback", CALLER_BACK, result="satisfied")
    verified = await loop.closure_done(case_id, "verification", VERIFIER, passed=True, photo_urls=[PHOTO])
    closed = await loop.open311(number, "closed", CLOSED[1])

    disposed = ("disposed", "网格员已现场处置，待核查")
    await loop.deliveries(case_id, RECEIVED, disposed, CLOSED)
    events = await loop.closure_events(case_id)
    assert fixed["agency_responsible"] is None
    assert closed["status"] == "closed"
    assert (opened["status"], opened["self_disposed"], opened["case_number"]) == ("disposed", True, number)
    assert opened["disposed_by"] == REPORTER.actor
    assert opened["unit_code"] == STATION  # who answers for it should verification fail
    assert by_the_fixer.status_code == 403  # who fixed it may not verify it
    assert too_early.status_code == 409  # nothing to call back before it is closed
    assert verified == "closed"
    assert [kind for kind, _, _ in events] == [
        "closure.ClosureOpened",
        "closure.DisposalReported",
        "closure.VerificationPassed",
        "closure.CaseClosed",
    ]
    assert events[1][1]["photo_urls"] == [PHOTO]
    assert events[1][1]["reported_by"] == REPORTER.actor
