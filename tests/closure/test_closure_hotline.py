"""A 12345 work order in Closure, pure: the hotline's reply clock beside the disposal deadline, progress
notes, the final reply (办结回复), and the hotline's urge and supervise notices (催办/督办).

The reply deadline is the hotline's clock (ADR 0017): it starts at the first routing, no move, return,
park, closing or call-back of ours restarts or stops it, only the hotline's extension moves it, and
only the reply ends it. Instants are the demo city's local time, worked out by hand.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from casekit.errors import RuleViolation
from schemas.closure import (
    CallbackRecorded,
    CaseReplied,
    CaseUrged,
    ClosureOpened,
    DeadlineExtended,
    DeadlineWarned,
    ProgressNoted,
    ResponsibilityMoved,
)
from schemas.dispatch import CaseReturned, CaseSignedFor
from schemas.hotline import NoticeKind, Outcome
from services.closure.adapters.views.cases import row_json
from services.closure.application import timers
from services.closure.domain import hotline as hl
from services.closure.domain import lifecycle as lc
from services.closure.domain import side_paths as sp
from services.closure.domain.closure import DECIDER, CaseClosure
from tests.closure.builders import (
    CASE,
    OTHER_UNIT,
    ROUTED_AT,
    RULES,
    STAFF,
    UNIT,
    act,
    after,
    callback,
    closed,
    deadline,
    disposed,
    local,
    on_routed,
    opened,
    routed,
)

WORK_ORDER = "BJ12345-20261110-0001"
REPLY_DUE = local(2026, 11, 11, 9)
"""The hotline's due time: 24 clock hours after the routing, a day before the unit's disposal deadline."""
DISPATCHER = "user:dispatcher-wang"


def work_order(due: datetime = REPLY_DUE) -> CaseClosure:
    return after(on_routed(DECIDER.initial, routed().model_copy(update={"reply_due_at": due}), WORK_ORDER))


def replied(state: CaseClosure, at: datetime, outcome: Outcome = "solved") -> CaseClosure:
    return after(hl.decide_reply(state, act(at=at), hl.Reply(outcome, "已清理并电话告知", "phone")), state)


# The reply clock: opened, kept, moved, ended


def test_a_routed_work_order_opens_with_a_reply_deadline_earlier_than_its_disposal_deadline() -> None:
    [event] = on_routed(DECIDER.initial, routed().model_copy(update={"reply_due_at": REPLY_DUE}), WORK_ORDER)

    assert isinstance(event, ClosureOpened)
    assert event.work_order_no == WORK_ORDER
    reply = next(d for d in event.deadlines if d.stage == "reply")
    # 80 % of the 24 clock hours from Tue 09:00: 19 h 12 min, Wed 04:12 (the hotline counts clock time).
    assert (reply.limit, reply.started_at, reply.due_at) == (None, ROUTED_AT, REPLY_DUE)
    assert reply.warn_at == local(2026, 11, 11, 4, 12)
    state = after([event])
    disposal = deadline(state, "disposal")
    assert (disposal.warn_at, disposal.due_at) == (local(2026, 11, 11, 15), local(2026, 11, 12, 9))
    assert (state.work_order_no, state.reply_due_at) == (WORK_ORDER, REPLY_DUE)
    assert set(state.running()) == {"sign_for", "disposal", "reply"}
    row = row_json(CASE, state, ROUTED_AT)
    assert row is not None
    # Work lists show the earlier of the two clocks first (the sign-for is due before both).
    state = after(sp.decide_signed_for(state, signed()), state)
    row = row_json(CASE, state, ROUTED_AT)
    assert row is not None
    assert (row["next_stage"], row["next_due_at"], row["work_order_no"]) == ("reply", REPLY_DUE, WORK_ORDER)


def signed() -> CaseSignedFor:
    return CaseSignedFor(case_id=CASE, unit_code=UNIT, role="lead", late=False, signed_by=STAFF,
                            signed_at=local(2026, 11, 10, 9, 10))  # fmt: skip


def test_a_case_that_is_not_a_work_order_has_no_reply_clock() -> None:
    state = opened()

    assert state.deadline("reply") is None
    assert state.work_order_no is None


def test_the_reply_warning_falls_before_the_disposal_warning_and_is_given_once() -> None:
    state = work_order()
    reply = deadline(state, "reply")

    [warned] = sp.decide_warn(state, CASE, "reply", reply.due_at, reply.warn_at)
    state = after([warned], state)

    assert isinstance(warned, DeadlineWarned)
    assert reply.warn_at < deadline(state, "disposal").warn_at
    assert (warned.stage, warned.due_at) == ("reply", REPLY_DUE)
    assert sp.decide_warn(state, CASE, "reply", reply.due_at, reply.warn_at) == []


def test_a_reassignment_keeps_the_reply_deadline_as_it_was_and_its_timers_untouched() -> None:
    state = work_order()
    reply = deadline(state, "reply")
    state = after(sp.decide_warn(state, CASE, "reply", reply.due_at, reply.warn_at), state)

    events = on_routed(state, routed(OTHER_UNIT, "reassignment", local(2026, 11, 10, 14)))
    moved = after(events, state)

    [event] = events
    assert isinstance(event, ResponsibilityMoved)
    assert deadline(moved, "reply") == reply
    assert deadline(moved, "disposal").started_at == local(2026, 11, 10, 14)  # the unit's clock starts again
    assert "reply" in moved.warned  # not warned a second time
    cancel, owe = timers.owed(RULES, state, moved, events)
    assert "reply" not in cancel
    assert all(stage != "reply" for _, stage, _, _ in owe)


def test_a_return_keeps_the_reply_clock_running_and_the_re_route_carries_it_on() -> None:
    state = work_order()
    reply = deadline(state, "reply")
    returned = CaseReturned(case_id=CASE, unit_code=UNIT, reason="not_our_area", returns=1, returned_by=STAFF,
                            returned_at=local(2026, 11, 10, 10))  # fmt: skip

    state = after(sp.decide_returned(state, returned), state)

    assert state.status == "returned"
    assert dict(state.running()) == {"reply": reply}
    state = after(on_routed(state, routed(OTHER_UNIT, "reroute", local(2026, 11, 10, 11))), state)
    assert (state.status, state.unit_code, deadline(state, "reply")) == ("open", OTHER_UNIT, reply)


def test_a_park_stops_the_unit_s_clocks_but_not_the_hotline_s_and_the_resume_leaves_it_alone() -> None:
    state = work_order()
    reply = deadline(state, "reply")
    park = act(DISPATCHER, local(2026, 11, 10, 10), None, "等待施工")

    parked = after(sp.decide_park(state, park, "closure"), state)
    assert dict(parked.running()) == {"reply": reply}
    cancel, owe = timers.owed(RULES, state, parked, [])
    assert set(cancel) == {"sign_for", "disposal"}
    assert owe == []

    resumed = after(sp.decide_resume(parked, act(DISPATCHER, local(2026, 11, 16, 9), None), RULES), parked)
    assert deadline(resumed, "reply") == reply
    assert deadline(resumed, "disposal").due_at > deadline(state, "disposal").due_at


def test_an_approved_extension_moves_the_reply_deadline_to_the_due_time_the_hotline_granted() -> None:
    state = work_order()
    granted = local(2026, 11, 13, 9)

    [event] = sp.decide_extend(state, act(DISPATCHER, local(2026, 11, 10, 15), None), 2, "dispatch", RULES, granted)

    assert isinstance(event, DeadlineExtended)
    assert event.reply is not None
    # Still counted from the first routing: 80 % of 72 clock hours is 57 h 36 min, Thu 18:36.
    assert (event.reply.started_at, event.reply.due_at) == (ROUTED_AT, granted)
    assert event.reply.warn_at == local(2026, 11, 12, 18, 36)
    assert event.disposal is not None
    assert event.disposal.due_at == local(2026, 11, 16, 9)  # the unit's own 2 working days more
    extended = after([event], state)
    assert (deadline(extended, "reply").due_at, extended.reply_due_at) == (granted, granted)
    cancel, owe = timers.owed(RULES, state, extended, [event])
    assert "reply" in cancel
    assert ("overdue", "reply", granted, granted) in owe


def test_an_extension_without_a_later_hotline_due_time_leaves_the_reply_deadline() -> None:
    state = work_order()
    earlier = local(2026, 11, 10, 18)

    for due in (None, earlier):
        [event] = sp.decide_extend(state, act(DISPATCHER, local(2026, 11, 10, 15), None), 1, "dispatch", RULES, due)
        assert isinstance(event, DeadlineExtended)
        assert event.reply is None
        assert deadline(after([event], state), "reply").due_at == REPLY_DUE


def test_an_extension_the_hotline_grants_after_the_disposal_still_moves_the_reply_deadline() -> None:
    state = disposed(work_order(), local(2026, 11, 10, 14))
    granted = local(2026, 11, 13, 9)
    by = act(DISPATCHER, local(2026, 11, 10, 15), None)

    [event] = sp.decide_extend(state, by, 2, "dispatch", RULES, granted)
    extended = after([event], state)

    assert isinstance(event, DeadlineExtended)
    assert (event.disposal, event.previous_due_at) == (None, None)  # past the disposal: nothing of ours moves
    assert event.reply is not None
    assert (deadline(extended, "reply").due_at, extended.reply_due_at) == (granted, granted)
    assert deadline(extended, "verification") == deadline(state, "verification")
    assert ("overdue", "reply", granted, granted) in timers.owed(RULES, state, extended, [event])[1]
    assert sp.decide_extend(state, by, 2, "dispatch", RULES, None) == []  # refused by the hotline: nothing


def test_disposal_closing_and_call_back_leave_the_reply_deadline_running_until_the_reply() -> None:
    state = work_order()
    reply = deadline(state, "reply")

    state = closed(disposed(state, local(2026, 11, 10, 15)), local(2026, 11, 10, 16))
    assert state.status == "closed"
    assert set(state.running()) == {"reply", "callback"}
    state = after(callback(state, "satisfied", local(2026, 11, 10, 17)), state)
    assert dict(state.running()) == {"reply": reply}


def test_the_reply_ends_the_reply_deadline_and_its_timers() -> None:
    state = disposed(work_order(), local(2026, 11, 10, 15))
    before = state

    [event] = hl.decide_reply(state, act(at=local(2026, 11, 10, 16)), hl.Reply("solved", "已清理", "phone"))
    state = after([event], state)

    assert isinstance(event, CaseReplied)
    assert (event.outcome, event.method, event.late, event.unit_code) == ("solved", "phone", False, UNIT)
    assert state.deadline("reply") is None
    assert (state.replied, state.reply_outcome, state.reply_due_at) == (True, "solved", REPLY_DUE)
    cancel, owe = timers.owed(RULES, before, state, [event])
    assert cancel == ["reply"]
    assert owe == []


def test_a_reply_after_the_hotline_s_due_time_is_late_and_its_overdue_mark_does_not_make_the_disposal_late() -> None:
    state = work_order()
    state = after(sp.decide_overdue(state, CASE, "reply", REPLY_DUE, REPLY_DUE), state)
    assert ("reply" in state.overdue, state.late) == (True, False)
    state = disposed(state, local(2026, 11, 11, 10))  # within the disposal deadline (Thu 09:00)

    [event] = hl.decide_reply(state, act(at=local(2026, 11, 11, 10, 5)), hl.Reply("solved", "已清理", "sms"))

    assert isinstance(event, CaseReplied)
    assert event.late is True
    assert after([event], state).overdue == frozenset()


# The reply's rules


def test_only_a_work_order_is_replied_to_or_noted_for_the_hotline() -> None:
    with pytest.raises(RuleViolation, match="not a 12345 work order"):
        hl.decide_reply(disposed(), act(), hl.Reply("solved", "已清理", "phone"))
    with pytest.raises(RuleViolation, match="not a 12345 work order"):
        hl.decide_progress(opened(), act(), hl.ProgressNote("contacted"))


@pytest.mark.parametrize("outcome", ["solved", "unsolved", "partly_solved"])
def test_an_outcome_other_than_not_handled_follows_a_reported_disposal(outcome: Outcome) -> None:
    with pytest.raises(RuleViolation, match="follows a reported disposal"):
        hl.decide_reply(work_order(), act(at=local(2026, 11, 10, 10)), hl.Reply(outcome, "答复", "phone"))


def test_not_handled_is_replied_while_the_case_is_still_open() -> None:
    [event] = hl.decide_reply(work_order(), act(at=local(2026, 11, 10, 10)), hl.Reply("not_handled", "不属受理范围",
                                                                                      "phone"))  # fmt: skip

    assert isinstance(event, CaseReplied)
    assert event.outcome == "not_handled"


def test_a_second_reply_is_refused_until_the_case_is_reopened() -> None:
    state = closed(disposed(work_order(), local(2026, 11, 10, 15)), local(2026, 11, 10, 16))
    state = replied(state, local(2026, 11, 10, 16, 30))

    with pytest.raises(RuleViolation, match="replied to already"):
        hl.decide_reply(state, act(at=local(2026, 11, 10, 17)), hl.Reply("solved", "再次答复", "phone"))

    reopened = after(callback(state, "unsatisfied", local(2026, 11, 11, 10)), state)
    assert (reopened.status, reopened.replied) == ("open", False)
    reopened = disposed(reopened, local(2026, 11, 11, 14))
    [event] = hl.decide_reply(reopened, act(at=local(2026, 11, 11, 15)), hl.Reply("solved", "重新办理完毕", "phone"))
    assert isinstance(event, CaseReplied)
    assert event.late is False  # no reply deadline runs for the re-handling: the hotline gave none


def test_a_hotline_call_back_keeps_what_the_resident_said_of_the_problem() -> None:
    state = closed(disposed(work_order(), local(2026, 11, 10, 15)), local(2026, 11, 10, 16))

    recorded, _ = lc.decide_callback(state, act("system:hotline", local(2026, 11, 11, 10), None),
                                     lc.Callback("unsatisfied", "hotline", "HF-1", "unsolved"), RULES)  # fmt: skip

    assert isinstance(recorded, CallbackRecorded)
    assert (recorded.source, recorded.callback_ref, recorded.solved) == ("hotline", "HF-1", "unsolved")


# Progress notes (办理进展)


def test_progress_is_noted_by_the_unit_while_it_works_the_case() -> None:
    state = work_order()

    [event] = hl.decide_progress(state, act(at=local(2026, 11, 10, 10)), hl.ProgressNote("contacted",
                                 local(2026, 11, 10, 9, 40), "赵师傅"))  # fmt: skip
    [on_site] = hl.decide_progress(disposed(state, local(2026, 11, 10, 15)), act(at=local(2026, 11, 10, 16)),
                                   hl.ProgressNote("on_site"))  # fmt: skip

    assert isinstance(event, ProgressNoted)
    assert (event.progress, event.at, event.staff, event.unit_code) == ("contacted",
                                                                                 local(2026, 11, 10, 9, 40), "赵师傅",
                                                                                 UNIT)  # fmt: skip
    assert isinstance(on_site, ProgressNoted)
    assert on_site.at == local(2026, 11, 10, 16)  # now, when the note gives no instant
    assert after([event], state) == state


def test_not_contacted_gives_its_reason() -> None:
    with pytest.raises(RuleViolation, match="reason"):
        hl.decide_progress(work_order(), act(at=local(2026, 11, 10, 10)), hl.ProgressNote("not_contacted"))

    [event] = hl.decide_progress(work_order(), act(at=local(2026, 11, 10, 10), note="电话无人接听"),
                                 hl.ProgressNote("not_contacted"))  # fmt: skip
    assert isinstance(event, ProgressNoted)
    assert event.note == "电话无人接听"


def test_progress_is_not_noted_on_a_closed_case_nor_dated_in_the_future_or_before_the_routing() -> None:
    closed_case = closed(disposed(work_order(), local(2026, 11, 10, 15)), local(2026, 11, 10, 16))
    with pytest.raises(RuleViolation, match="closed"):
        hl.decide_progress(closed_case, act(at=local(2026, 11, 10, 17)), hl.ProgressNote("on_site"))
    with pytest.raises(RuleViolation, match="future"):
        hl.decide_progress(work_order(), act(at=local(2026, 11, 10, 10)),
                           hl.ProgressNote("on_site", local(2026, 11, 10, 11)))  # fmt: skip
    with pytest.raises(RuleViolation, match="after the case reached the unit"):
        hl.decide_progress(work_order(), act(at=local(2026, 11, 10, 10)),
                           hl.ProgressNote("on_site", local(2026, 11, 9, 11)))  # fmt: skip


# Urge and supervise notices (催办/督办)


def notice(number: str, issued_at: datetime, kind: NoticeKind = "urge") -> hl.Notice:
    return hl.Notice(number, kind, issued_at, "请尽快处理")


def test_a_notice_is_shown_once_per_notice_number_and_the_latest_one_is_the_last_urge() -> None:
    state = work_order()
    first = notice("CB-1", local(2026, 11, 10, 15))

    [urged] = hl.decide_urged(state, CASE, first, local(2026, 11, 10, 15, 1))
    state = after([urged], state)
    again = hl.decide_urged(state, CASE, first, local(2026, 11, 10, 15, 2))
    state = after(hl.decide_urged(state, CASE, notice("DB-1", local(2026, 11, 10, 17), "supervise"),
                                  local(2026, 11, 10, 17, 1)), state)  # fmt: skip
    state = after(hl.decide_urged(state, CASE, notice("CB-0", local(2026, 11, 10, 12)), local(2026, 11, 10, 17, 2)),
                  state)  # an older notice arriving late  # fmt: skip

    assert isinstance(urged, CaseUrged)
    assert (urged.kind, urged.notice_no, urged.unit_code, urged.issued_at) == ("urge", "CB-1", UNIT,
                                                                              local(2026, 11, 10, 15))  # fmt: skip
    assert again == []
    assert state.notice_nos == {"CB-0", "CB-1", "DB-1"}
    assert (state.last_urge_kind, state.last_urged_at) == ("supervise", local(2026, 11, 10, 17))
    row = row_json(CASE, state, local(2026, 11, 10, 18))
    assert row is not None
    assert (row["urge_count"], row["last_urge_kind"]) == (3, "supervise")


def test_a_notice_for_a_case_not_in_closure_decides_nothing() -> None:
    assert hl.decide_urged(DECIDER.initial, CASE, notice("CB-1", ROUTED_AT), ROUTED_AT) == []
