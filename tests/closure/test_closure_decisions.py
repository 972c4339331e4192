"""The CaseClosure loop's decisions, pure: open, move, return, sign-for, start, dispose, verify, close, call back.

Every expected instant is worked out by hand from docs/working-time.md (the demo city: Asia/Shanghai,
08:30-12:00 and 13:30-17:30) and written as a literal; the builders are in tests/closure/builders.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casekit.errors import Forbidden, RuleViolation
from schemas.closure import (
    CallbackHeld,
    CallbackRecorded,
    CallbackResult,
    CaseClosed,
    CaseReopened,
    ClosureOpened,
    DisposalMethod,
    DisposalReported,
    DisposalStarted,
    ResponsibilityMoved,
    ReturnNoted,
    ReviewDecided,
    ReworkOrdered,
    SatisfactionReviewOpened,
    SignForNoted,
    VerificationFailed,
    VerificationPassed,
)
from schemas.dispatch import (
    CaseReturned,
    CaseSignedFor,
    RouteKind,
    TimeLimit,
)
from services.closure.domain import lifecycle as lc
from services.closure.domain import side_paths as sp
from services.closure.domain.closure import DECIDER, CaseClosure
from tests.closure.builders import (
    CASE,
    GRID,
    GRID_MEMBER,
    OTHER_UNIT,
    ROUTED_AT,
    RULES,
    STAFF,
    UNIT,
    VERIFIED_AT,
    act,
    after,
    callback,
    closed,
    deadline,
    disposed,
    in_review,
    local,
    on_routed,
    on_self_disposal,
    opened,
    routed,
    self_disposal,
)

# Opening, moving, returning, signing for


def test_a_routed_case_opens_with_its_deadlines_in_working_and_clock_time() -> None:
    [event] = on_routed(DECIDER.initial, routed())

    assert isinstance(event, ClosureOpened)
    assert (event.unit_code, event.unit_level, event.area_code, event.self_disposed) == (UNIT, "community", GRID, False)
    sign_for, disposal = event.deadlines
    assert (sign_for.stage, sign_for.warn_at, sign_for.due_at) == ("sign_for", local(2026, 11, 10, 9, 24),
                                                                   local(2026, 11, 10, 9, 30))  # fmt: skip
    # 2 working days = 15 h from Tue 09:00: 7 h Tuesday, 7.5 h Wednesday, 0.5 h Thursday; warn after 12 h.
    assert (disposal.stage, disposal.warn_at, disposal.due_at) == ("disposal", local(2026, 11, 11, 15),
                                                                   local(2026, 11, 12, 9))  # fmt: skip
    assert after([event]).status == "open"


def test_a_routing_without_limits_takes_the_default_disposal_limit() -> None:
    [event] = on_routed(DECIDER.initial, routed(limits=None))

    assert isinstance(event, ClosureOpened)
    [disposal] = event.deadlines
    assert disposal.limit == TimeLimit(amount=5, unit="working_days")
    assert disposal.due_at == local(2026, 11, 17, 9)  # Tue 09:00 + 5 working days (no holiday in between)


@pytest.mark.parametrize("kind", ["reroute", "reassignment"])
def test_a_reroute_or_reassignment_moves_responsibility_and_restarts_the_clock(kind: RouteKind) -> None:
    state = opened()
    later = local(2026, 11, 10, 14)

    [event] = on_routed(state, routed(OTHER_UNIT, kind, later, "street"))

    assert isinstance(event, ResponsibilityMoved)
    assert (event.unit_code, event.previous_unit_code, event.route_kind) == (OTHER_UNIT, UNIT, kind)
    moved = after([event], state)
    assert (moved.status, moved.unit_code, moved.unit_level) == ("open", OTHER_UNIT, "street")
    # 2 working days from Tue 14:00 end Thu 14:00.
    assert deadline(moved, "disposal").due_at == local(2026, 11, 12, 14)


def test_the_same_routing_again_decides_nothing() -> None:
    assert on_routed(opened(), routed()) == []


def test_a_reroute_of_a_disposed_case_does_not_take_the_work_back() -> None:
    assert on_routed(disposed(), routed(OTHER_UNIT, "reroute")) == []


def test_a_return_stops_the_clocks_until_dispatch_routes_it_again() -> None:
    state = opened()
    returned = CaseReturned(case_id=CASE, unit_code=UNIT, reason="not_our_area", returns=1, returned_by=STAFF,
                            returned_at=local(2026, 11, 10, 10))  # fmt: skip

    [event] = sp.decide_returned(state, returned)

    assert isinstance(event, ReturnNoted)
    back = after([event], state)
    assert (back.status, back.deadlines, back.running()) == ("returned", (), {})
    [moved] = on_routed(back, routed(OTHER_UNIT, "reroute", local(2026, 11, 10, 11)))
    assert isinstance(moved, ResponsibilityMoved)
    assert after([moved], back).status == "open"


def test_a_return_by_another_unit_decides_nothing() -> None:
    returned = CaseReturned(case_id=CASE, unit_code=OTHER_UNIT, reason="not_our_area", returns=1, returned_by=STAFF,
                            returned_at=ROUTED_AT)  # fmt: skip
    assert sp.decide_returned(opened(), returned) == []


def test_signing_for_meets_the_sign_for_deadline() -> None:
    state = opened()
    signed = CaseSignedFor(case_id=CASE, unit_code=UNIT, role="lead", signed_by=STAFF,
                           signed_at=local(2026, 11, 10, 9, 10))  # fmt: skip

    [event] = sp.decide_signed_for(state, signed)

    assert isinstance(event, SignForNoted)
    after_sign = after([event], state)
    assert after_sign.signed_for
    assert "sign_for" not in after_sign.running()
    assert sp.decide_signed_for(after_sign, signed) == []
    assert sp.decide_signed_for(state, signed.model_copy(update={"role": "assist"})) == []


# Start and disposal (处置)


def test_the_unit_starts_once() -> None:
    state = opened()

    [event] = lc.decide_start(state, act())

    assert isinstance(event, DisposalStarted)
    assert event.started_by == STAFF
    with pytest.raises(RuleViolation, match="already started"):
        lc.decide_start(after([event], state), act())


@pytest.mark.parametrize("unit", [None, OTHER_UNIT])
def test_only_the_responsible_unit_starts_or_disposes(unit: str | None) -> None:
    with pytest.raises(Forbidden):
        lc.decide_start(opened(), act(unit=unit))
    with pytest.raises(Forbidden):
        lc.decide_dispose(opened(), act(unit=unit), lc.Disposal("service", "已清运"), RULES)


@pytest.mark.parametrize("method", ["service", "management", "enforcement"])
def test_a_disposal_by_each_721_method_owes_verification(method: DisposalMethod) -> None:
    notice = "徐云城罚决字〔2026〕第0153号" if method == "enforcement" else None

    [event] = lc.decide_dispose(opened(), act(), lc.Disposal(method, "已处理", ("https://x/1.jpg",), notice), RULES)

    assert isinstance(event, DisposalReported)
    assert (event.method, event.penalty_notice_number, event.round, event.late) == (method, notice, 1, False)
    # 2 working hours from Wed 10:00 end 12:00; the warning after 96 minutes.
    assert (event.verification.warn_at, event.verification.due_at) == (local(2026, 11, 11, 11, 36),
                                                                       local(2026, 11, 11, 12))  # fmt: skip
    state = after([event], opened())
    assert (state.status, state.disposed_by, state.disposing_unit) == ("disposed", STAFF, UNIT)
    assert set(state.running()) == {"verification"}


def test_an_enforcement_without_its_penalty_notice_is_refused() -> None:
    with pytest.raises(RuleViolation, match="penalty notice"):
        lc.decide_dispose(opened(), act(), lc.Disposal("enforcement", "已立案"), RULES)


def test_a_disposal_after_its_deadline_is_late_and_the_case_closes_late() -> None:
    state = disposed(at=local(2026, 11, 12, 10))  # due Thu 09:00

    assert state.late
    [_, closing] = lc.decide_verify(state, act(GRID_MEMBER, local(2026, 11, 12, 11), None), lc.Verification(True),
                                    RULES)  # fmt: skip
    assert isinstance(closing, CaseClosed)
    assert closing.kind == "late"


def test_a_disposed_case_is_not_disposed_again() -> None:
    with pytest.raises(RuleViolation, match="already disposed"):
        lc.decide_dispose(disposed(), act(), lc.Disposal("service", "again"), RULES)


# Verification (核查)


def test_a_passed_verification_closes_the_case_normally_and_owes_the_call_back() -> None:
    state = disposed()

    passed, closing = lc.decide_verify(state, act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)

    assert isinstance(passed, VerificationPassed)
    assert not passed.late
    assert isinstance(closing, CaseClosed)
    assert (closing.kind, closing.closed_by) == ("normal", GRID_MEMBER)
    # Due by the end of the next working day; 12 h of working time to then, the warning after 9 h 36 min.
    assert (closing.callback.warn_at, closing.callback.due_at) == (local(2026, 11, 12, 15, 6),
                                                                   local(2026, 11, 12, 17, 30))  # fmt: skip
    after_close = after([passed, closing], state)
    assert (after_close.status, after_close.closure_kind, set(after_close.running())) == ("closed", "normal",
                                                                                          {"callback"})  # fmt: skip


def test_a_verification_after_its_deadline_is_marked_late() -> None:
    [passed, _] = lc.decide_verify(disposed(), act(GRID_MEMBER, local(2026, 11, 11, 14), None),
                                   lc.Verification(True), RULES)  # fmt: skip
    assert isinstance(passed, VerificationPassed)
    assert passed.late


def test_a_failed_verification_orders_rework_by_the_same_unit_counted_per_case() -> None:
    state = disposed()

    failed, rework = lc.decide_verify(state, act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(False, "仍有垃圾"),
                                      RULES)  # fmt: skip

    assert isinstance(failed, VerificationFailed)
    assert failed.note == "仍有垃圾"
    assert isinstance(rework, ReworkOrdered)
    assert (rework.unit_code, rework.rework_count) == (UNIT, 1)
    assert rework.disposal.due_at == local(2026, 11, 13, 11, 30)  # Wed 11:30 + 2 working days
    again = after([failed, rework], state)
    assert (again.status, again.rework_count, set(again.running())) == ("open", 1, {"disposal"})
    second = disposed(again, local(2026, 11, 12, 10))
    assert second.rounds == 2
    [_, rework2] = lc.decide_verify(second, act(GRID_MEMBER, local(2026, 11, 12, 11), None),
                                    lc.Verification(False, "还是没清"), RULES)  # fmt: skip
    assert isinstance(rework2, ReworkOrdered)
    assert rework2.rework_count == 2


def test_a_failed_verification_says_what_is_wrong() -> None:
    with pytest.raises(RuleViolation, match="note"):
        lc.decide_verify(disposed(), act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(False), RULES)


def test_verifying_your_own_work_is_refused() -> None:
    state = disposed()

    with pytest.raises(Forbidden, match="did not do the work"):
        lc.decide_verify(state, act(STAFF, VERIFIED_AT, None), lc.Verification(True), RULES)
    with pytest.raises(Forbidden, match="did not do the work"):
        lc.decide_verify(state, act("user:staff-qian", VERIFIED_AT, UNIT), lc.Verification(True), RULES)


@pytest.mark.parametrize("make", [opened, closed], ids=["open", "closed"])
def test_only_a_disposed_case_is_verified(make: Callable[[], CaseClosure]) -> None:
    with pytest.raises(RuleViolation, match="only a disposed case"):
        lc.decide_verify(make(), act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)


# Self-disposal (自行处置)


def test_a_self_disposed_case_opens_disposed_and_waits_for_someone_else() -> None:
    opening, disposal = on_self_disposal(DECIDER.initial, self_disposal())

    assert isinstance(opening, ClosureOpened)
    assert opening.self_disposed
    assert isinstance(disposal, DisposalReported)
    assert (disposal.reported_by, disposal.method) == (GRID_MEMBER, None)
    state = after([opening, disposal])
    assert state.status == "disposed"
    with pytest.raises(Forbidden):
        lc.decide_verify(state, act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)
    _passed, closing = lc.decide_verify(state, act("user:supervisor-zhou", VERIFIED_AT, None), lc.Verification(True),
                                       RULES)  # fmt: skip
    assert isinstance(closing, CaseClosed)
    assert closing.kind == "normal"
    assert on_self_disposal(state, self_disposal()) == []


@pytest.mark.parametrize(("unit", "expected"), [(UNIT, UNIT), (None, sp.NO_UNIT)])
def test_a_failed_self_disposal_goes_for_rework_to_the_unit_dispatch_named(unit: str | None, expected: str) -> None:
    state = after(on_self_disposal(DECIDER.initial, self_disposal(unit)))

    [_, rework] = lc.decide_verify(state, act("user:supervisor-zhou", VERIFIED_AT, None),
                                   lc.Verification(False, "未清理干净"), RULES)  # fmt: skip

    assert isinstance(rework, ReworkOrdered)
    assert rework.unit_code == expected
    again = after([rework], state)
    assert (again.status, again.unit_code) == ("open", expected)
    assert isinstance(lc.decide_start(again, act(unit=expected))[0], DisposalStarted)


# Special closing (特殊结案)


def test_a_never_disposed_open_case_does_not_close_specially() -> None:
    with pytest.raises(RuleViolation, match="never disposed"):
        lc.decide_close_special(opened(), act("user:lead-wu", unit=None, note="上级批准"), RULES)


def test_a_disposed_case_closes_specially_with_its_reason() -> None:
    [event] = lc.decide_close_special(disposed(), act("user:lead-wu", VERIFIED_AT, None, "无法核查, 值班长批准"), RULES)

    assert isinstance(event, CaseClosed)
    assert (event.kind, event.reason) == ("special", "无法核查, 值班长批准")
    with pytest.raises(RuleViolation, match="reason"):
        lc.decide_close_special(disposed(), act("user:lead-wu", VERIFIED_AT, None), RULES)


# Call-back (回访) and review (不满意复核)


def test_a_call_back_on_an_open_case_is_refused() -> None:
    with pytest.raises(RuleViolation, match="for a closed case"):
        callback(opened(), "satisfied")


@pytest.mark.parametrize("result", ["satisfied", "basically_satisfied"])
def test_a_satisfied_call_back_ends_the_case(result: CallbackResult) -> None:
    state = closed()

    [event] = callback(state, result)

    assert isinstance(event, CallbackRecorded)
    assert not event.late
    done = after([event], state)
    assert (done.callback_done, done.running()) == (True, {})
    with pytest.raises(RuleViolation, match="already called back"):
        callback(done, "unsatisfied")


def test_an_unreachable_resident_is_called_again_and_a_late_call_is_marked() -> None:
    state = closed()

    [event] = callback(state, "unreachable")

    again = after([event], state)
    assert not again.callback_done
    assert set(again.running()) == {"callback"}
    [late] = callback(again, "satisfied", local(2026, 11, 13, 9))  # due Thu 17:30
    assert isinstance(late, CallbackRecorded)
    assert late.late


def test_unsatisfied_reopens_once_then_goes_to_review() -> None:
    state = closed()

    recorded, reopened = callback(state, "unsatisfied")

    assert isinstance(reopened, CaseReopened)
    assert (reopened.unit_code, reopened.reopen_count, reopened.cause) == (UNIT, 1, "unsatisfied")
    # 2 working days from Thu 10:00 end Mon 10:00 (the weekend does not count).
    assert reopened.disposal.due_at == local(2026, 11, 16, 10)
    open_again = after([recorded, reopened], state)
    assert (open_again.status, open_again.reopen_count, open_again.closure_kind) == ("open", 1, None)
    closed_again = closed(disposed(open_again, local(2026, 11, 13, 9)), local(2026, 11, 13, 10))
    assert closed_again.status == "closed"

    recorded2, review = callback(closed_again, "unsatisfied", local(2026, 11, 16, 9))

    assert isinstance(review, SatisfactionReviewOpened)
    assert review.unsatisfied_count == 2
    assert after([recorded2, review], closed_again).status == "in_review"


def test_a_review_upholds_the_closing_or_reopens_the_case() -> None:
    state = in_review()
    reviewer = act("user:supervisor-zhou", local(2026, 11, 16, 10), None, "已按标准处置")

    [upheld] = lc.decide_review(state, reviewer, False, RULES)
    decided, reopened = lc.decide_review(state, reviewer, True, RULES)

    assert isinstance(upheld, ReviewDecided)
    assert upheld.decision == "uphold"
    assert after([upheld], state).status == "closed"
    assert isinstance(decided, ReviewDecided)
    assert decided.decision == "reopen"
    assert isinstance(reopened, CaseReopened)
    assert (reopened.cause, reopened.reopen_count) == ("review", 2)
    assert after([decided, reopened], state).status == "open"
    with pytest.raises(RuleViolation, match="not in review"):
        lc.decide_review(closed(), reviewer, False, RULES)


def test_the_same_hotline_call_back_twice_decides_nothing() -> None:
    state = closed()
    first = callback(state, "unsatisfied", ref="12345-CB-0001")
    state = after(first, state)

    assert len(first) == 2
    assert callback(state, "unsatisfied", ref="12345-CB-0001") == []


def test_dispatch_s_review_names_the_final_owner_of_a_returned_case() -> None:
    state = opened()
    returned = CaseReturned(case_id=CASE, unit_code=UNIT, reason="not_our_area", returns=2, returned_by=STAFF,
                            returned_at=local(2026, 11, 10, 10))  # fmt: skip
    state = after(sp.decide_returned(state, returned), state)

    [moved] = on_routed(state, routed(OTHER_UNIT, "review", local(2026, 11, 10, 11), "street"))

    assert isinstance(moved, ResponsibilityMoved)
    assert (moved.route_kind, moved.previous_unit_code) == ("review", UNIT)
    assert after([moved], state).unit_code == OTHER_UNIT


def test_a_late_sign_for_is_noted_late() -> None:
    signed = CaseSignedFor(case_id=CASE, unit_code=UNIT, role="lead", late=True, signed_by=STAFF,
                           signed_at=local(2026, 11, 10, 10))  # fmt: skip

    [event] = sp.decide_signed_for(opened(), signed)

    assert isinstance(event, SignForNoted)
    assert event.late


def test_a_closed_case_is_not_disposed_started_or_verified_again() -> None:
    state = closed()

    with pytest.raises(RuleViolation, match="closed; it cannot be disposed of now"):
        lc.decide_dispose(state, act(), lc.Disposal("service", "again"), RULES)
    with pytest.raises(RuleViolation):
        lc.decide_start(state, act())
    with pytest.raises(RuleViolation, match="only a disposed case"):
        lc.decide_verify(state, act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)


def test_an_upheld_review_ends_the_call_backs() -> None:
    state = in_review()
    state = after(lc.decide_review(state, act("user:supervisor-zhou", local(2026, 11, 16, 10), None), False, RULES),
                  state)  # fmt: skip

    assert (state.status, state.callback_done, state.running()) == ("closed", True, {})
    with pytest.raises(RuleViolation, match="already called back"):
        callback(state, "satisfied", local(2026, 11, 16, 11))


# A hotline call-back ahead of our verification


def test_a_hotline_call_back_on_a_disposed_case_is_held_and_recorded_at_the_closing() -> None:
    held = callback(disposed(), "unsatisfied", at=local(2026, 11, 11, 10, 30), ref="HF-1")
    state = after(held, disposed())
    assert [type(e) for e in held] == [CallbackHeld]
    assert callback(state, "unsatisfied", ref="HF-1") == []  # the platform sent it again

    closing = lc.decide_verify(state, act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)

    assert [e.type for e in closing] == [
        VerificationPassed.type,
        CaseClosed.type,
        CallbackRecorded.type,
        CaseReopened.type,
    ]
    recorded = closing[2]
    assert isinstance(recorded, CallbackRecorded)
    assert (recorded.callback_ref, recorded.called_at, recorded.called_by) == ("HF-1", VERIFIED_AT, "user:callback-sun")
    assert after(closing, state).held_callback is None
    assert after(closing, state).reopen_count == 1


def test_only_the_hotline_s_call_back_waits_and_only_on_a_disposed_case() -> None:
    with pytest.raises(RuleViolation, match="for a closed case"):
        callback(disposed(), "satisfied")  # the call-back team calls a closed case
    with pytest.raises(RuleViolation, match="for a closed case"):
        callback(opened(), "satisfied", ref="HF-2")  # nothing disposed, nothing replied on
    plain = lc.decide_verify(disposed(), act(GRID_MEMBER, VERIFIED_AT, None), lc.Verification(True), RULES)
    assert [e.type for e in plain] == [VerificationPassed.type, CaseClosed.type]
