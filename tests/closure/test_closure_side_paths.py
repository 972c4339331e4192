"""The side paths, pure: park (挂账) and resume, extension (延期), void (作废), the timers' decisions and access."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from casekit.access.principal import Principal
from casekit.errors import Forbidden, RuleViolation
from schemas.access import CALLBACK_TEAM, DISPATCHER, GRID_MEMBER, SHIFT_LEAD, SUPERVISOR, UNIT_STAFF
from schemas.closure import (
    Approval,
    CaseClosed,
    CaseEscalated,
    CaseParked,
    CaseResumed,
    ClosureVoided,
    DeadlineExtended,
    DeadlineOverdue,
    DeadlineWarned,
)
from schemas.dispatch import UnitLevel
from services.closure.domain import access
from services.closure.domain import lifecycle as lc
from services.closure.domain import side_paths as sp
from services.closure.domain.closure import CaseClosure
from services.closure.domain.deadlines import TimerChange, escalation_target, timer_changes
from tests.closure.builders import (
    CASE,
    GRID,
    OTHER_UNIT,
    RULES,
    UNIT,
    act,
    after,
    closed,
    deadline,
    disposed,
    local,
    on_routed,
    opened,
    routed,
)

LEAD = "user:lead-wu"
DISPATCHER_WANG = "user:dispatcher-wang"
PARKED_AT = local(2026, 11, 11, 10)  # Wednesday; the disposal deadline is Thu 09:00, 6.5 h of working time away


def parked(state: CaseClosure | None = None, at: datetime = PARKED_AT) -> CaseClosure:
    state = state or opened()
    return after(sp.decide_park(state, act(DISPATCHER_WANG, at, None, "待冬季后施工"), "closure"), state)


# Park (挂账)


@pytest.mark.parametrize("approval", ["dispatch", "closure"])
def test_an_open_case_is_parked_with_its_reason_and_its_clocks_stop(approval: Approval) -> None:
    state = opened()

    [event] = sp.decide_park(state, act(DISPATCHER_WANG, PARKED_AT, None, "待冬季后施工"), approval)

    assert isinstance(event, CaseParked)
    assert (event.approval, event.reason) == (approval, "待冬季后施工")
    stopped = after([event], state)
    assert (stopped.status, stopped.running(), stopped.parked_at) == ("parked", {}, PARKED_AT)
    assert deadline(stopped, "disposal").due_at == local(2026, 11, 12, 9)  # kept, stopped


def test_a_park_names_its_reason() -> None:
    with pytest.raises(RuleViolation, match="reason"):
        sp.decide_park(opened(), act(DISPATCHER_WANG, PARKED_AT, None), "closure")


def test_a_case_not_open_is_not_parked_directly_and_dispatch_s_late_approval_decides_nothing() -> None:
    with pytest.raises(RuleViolation, match="only a case being disposed of is parked"):
        sp.decide_park(disposed(), act(DISPATCHER_WANG, PARKED_AT, None, "x"), "closure")
    assert sp.decide_park(disposed(), act(DISPATCHER_WANG, PARKED_AT, None, "x"), "dispatch") == []
    with pytest.raises(RuleViolation):
        sp.decide_park(parked(), act(DISPATCHER_WANG, PARKED_AT, None, "x"), "closure")


def test_a_parked_case_is_neither_started_nor_disposed_of() -> None:
    with pytest.raises(RuleViolation, match="parked"):
        lc.decide_dispose(parked(), act(), lc.Disposal("service", "已清运"), RULES)
    with pytest.raises(RuleViolation, match="parked"):
        lc.decide_start(parked(), act())


def test_a_reroute_of_a_parked_case_decides_nothing() -> None:
    assert on_routed(parked(), routed(OTHER_UNIT, "reroute")) == []


# Resume (恢复办理)


def test_a_resumed_case_s_deadlines_keep_the_working_time_they_had_left() -> None:
    state = parked()

    [event] = sp.decide_resume(state, act(DISPATCHER_WANG, local(2026, 11, 16, 14), None), RULES)

    assert isinstance(event, CaseResumed)
    sign_for, disposal = sorted(event.deadlines, key=lambda d: d.stage, reverse=True)
    # Disposal: 6.5 h left at Wed 10:00 (6 h Wed, 0.5 h Thu), counted from Mon 14:00: 3.5 h Mon, 3 h Tue.
    # Its warning (Wed 15:00) had 3.5 h left: all of Monday afternoon, so it ends at Monday's close.
    assert (disposal.stage, disposal.warn_at, disposal.due_at) == ("disposal", local(2026, 11, 16, 17, 30),
                                                                   local(2026, 11, 17, 11, 30))  # fmt: skip
    # Sign-for, 30 clock minutes from Tue 09:00, was past due at the park: it stays past due.
    assert (sign_for.stage, sign_for.warn_at, sign_for.due_at) == ("sign_for", local(2026, 11, 10, 9, 24),
                                                                   local(2026, 11, 10, 9, 30))  # fmt: skip
    resumed = after([event], state)
    assert (resumed.status, resumed.parked_at) == ("open", None)
    assert set(resumed.running()) == {"sign_for", "disposal"}


def test_a_clock_time_deadline_keeps_the_clock_time_it_had_left() -> None:
    state = parked(at=local(2026, 11, 10, 9, 10))  # sign-for due 09:30, warning 09:24

    [event] = sp.decide_resume(state, act(DISPATCHER_WANG, local(2026, 11, 10, 20), None), RULES)

    assert isinstance(event, CaseResumed)
    sign_for = next(d for d in event.deadlines if d.stage == "sign_for")
    assert (sign_for.warn_at, sign_for.due_at) == (local(2026, 11, 10, 20, 14), local(2026, 11, 10, 20, 20))


def test_a_warning_given_before_the_park_is_not_given_again_after_the_resume() -> None:
    state = opened()
    disposal = deadline(state, "disposal")
    state = after(sp.decide_warn(state, CASE, "disposal", disposal.due_at, disposal.warn_at), state)
    state = parked(state, local(2026, 11, 11, 16))
    state = after(sp.decide_resume(state, act(DISPATCHER_WANG, local(2026, 11, 16, 9), None), RULES), state)

    moved = deadline(state, "disposal")
    assert moved.warn_at == local(2026, 11, 11, 15)  # passed at the park: it stays passed
    assert moved.due_at == local(2026, 11, 16, 11)  # 2 h left (Wed 16-17:30 1.5 h, Thu 0.5 h) from Mon 09:00
    assert sp.decide_warn(state, CASE, "disposal", moved.due_at, moved.warn_at) == []


def test_only_a_parked_case_resumes() -> None:
    with pytest.raises(RuleViolation, match="not parked"):
        sp.decide_resume(opened(), act(DISPATCHER_WANG, PARKED_AT, None), RULES)


# Extension (延期)


def test_an_extension_moves_the_disposal_deadline_by_working_days_from_the_one_in_force() -> None:
    state = opened()

    [event] = sp.decide_extend(state, act(DISPATCHER_WANG, PARKED_AT, None), 2, "dispatch", RULES)

    assert isinstance(event, DeadlineExtended)
    assert event.previous_due_at == local(2026, 11, 12, 9)
    assert event.disposal is not None
    # Thu 09:00 + 2 working days: Mon 09:00; the warning (Wed 15:00) moves by as much: Fri 15:00.
    assert (event.disposal.warn_at, event.disposal.due_at) == (local(2026, 11, 13, 15), local(2026, 11, 16, 9))
    extended = after([event], state)
    assert deadline(extended, "disposal").due_at == local(2026, 11, 16, 9)


def test_a_parked_case_is_extended_and_resumes_with_the_extended_time_left() -> None:
    state = parked()
    state = after(sp.decide_extend(state, act(DISPATCHER_WANG, PARKED_AT, None), 1, "closure", RULES), state)

    assert deadline(state, "disposal").due_at == local(2026, 11, 13, 9)
    [event] = sp.decide_resume(state, act(DISPATCHER_WANG, local(2026, 11, 16, 14), None), RULES)
    assert isinstance(event, CaseResumed)
    # 6.5 h + 7.5 h = 14 h left from Mon 14:00: Mon 3.5, Tue 7.5, Wed 3 (08:30-11:30).
    assert next(d for d in event.deadlines if d.stage == "disposal").due_at == local(2026, 11, 18, 11, 30)


def test_only_a_disposal_deadline_in_force_is_extended() -> None:
    with pytest.raises(RuleViolation, match="only a disposal deadline"):
        sp.decide_extend(disposed(), act(DISPATCHER_WANG, PARKED_AT, None), 2, "closure", RULES)
    assert sp.decide_extend(disposed(), act(DISPATCHER_WANG, PARKED_AT, None), 2, "dispatch", RULES) == []


# Void (作废)


@pytest.mark.parametrize("make", [opened, parked, disposed], ids=["open", "parked", "disposed"])
def test_a_case_not_closed_is_voided_and_nothing_more_is_due(make: Callable[[], CaseClosure]) -> None:
    state = make()

    [event] = sp.decide_void(state, act(LEAD, PARKED_AT, None, "重复工单"), "closure")

    assert isinstance(event, ClosureVoided)
    voided = after([event], state)
    assert (voided.status, voided.running()) == ("voided", {})
    with pytest.raises(RuleViolation, match="cannot be voided"):
        sp.decide_void(voided, act(LEAD, PARKED_AT, None, "again"), "closure")


def test_a_closed_case_is_not_voided_and_a_void_names_its_reason() -> None:
    with pytest.raises(RuleViolation, match="closed; it cannot be voided"):
        sp.decide_void(closed(), act(LEAD, PARKED_AT, None, "重复工单"), "closure")
    with pytest.raises(RuleViolation, match="reason"):
        sp.decide_void(opened(), act(LEAD, PARKED_AT, None), "closure")


def test_a_parked_case_closes_specially_and_its_call_back_is_due() -> None:
    state = parked()

    [event] = lc.decide_close_special(state, act(LEAD, local(2026, 11, 13, 15), None, "历史遗留, 批准特殊结案"), RULES)

    assert isinstance(event, CaseClosed)
    assert event.kind == "special"
    assert event.callback.due_at == local(2026, 11, 16, 17, 30)  # a Friday closing: Monday's close
    done = after([event], state)
    assert (done.status, done.parked_at, set(done.running())) == ("closed", None, {"callback"})


# The timers' decisions: each re-decides against the case as it is now


def test_a_warning_is_given_once_and_not_after_the_overdue_mark() -> None:
    state = opened()
    due = deadline(state, "disposal").due_at

    [warned] = sp.decide_warn(state, CASE, "disposal", due, local(2026, 11, 11, 15))

    assert isinstance(warned, DeadlineWarned)
    assert (warned.unit_code, warned.due_at) == (UNIT, due)
    assert sp.decide_warn(after([warned], state), CASE, "disposal", due, local(2026, 11, 11, 15)) == []
    overdue = after(sp.decide_overdue(state, CASE, "disposal", due, due), state)
    assert sp.decide_warn(overdue, CASE, "disposal", due, due) == []


def test_an_overdue_mark_is_made_once_and_makes_the_case_late() -> None:
    state = opened()
    due = deadline(state, "disposal").due_at

    [flagged] = sp.decide_overdue(state, CASE, "disposal", due, due)

    assert isinstance(flagged, DeadlineOverdue)
    marked = after([flagged], state)
    assert marked.late
    assert marked.overdue == {"disposal"}
    assert sp.decide_overdue(marked, CASE, "disposal", due, due) == []


def test_an_escalation_comes_only_after_the_overdue_mark_and_only_once() -> None:
    state = opened()
    due = deadline(state, "disposal").due_at
    at = RULES.escalation_due(deadline(state, "disposal"))

    assert sp.decide_escalate(state, CASE, "disposal", due, at) == []
    marked = after(sp.decide_overdue(state, CASE, "disposal", due, due), state)
    [escalated] = sp.decide_escalate(marked, CASE, "disposal", due, at)

    assert isinstance(escalated, CaseEscalated)
    assert (escalated.to_level, escalated.to_area_code) == ("street", GRID[:9])
    assert sp.decide_escalate(after([escalated], marked), CASE, "disposal", due, at) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda s: disposed(s),
        lambda s: after(sp.decide_extend(s, act(DISPATCHER_WANG, PARKED_AT, None), 1, "closure", RULES), s),
        lambda s: parked(s),
        lambda s: after(sp.decide_void(s, act(LEAD, PARKED_AT, None, "重复工单"), "closure"), s),
    ],
    ids=["met", "moved", "parked", "voided"],
)
def test_a_timer_whose_deadline_was_met_moved_or_stopped_fires_into_nothing(
    change: Callable[[CaseClosure], CaseClosure],
) -> None:
    state = opened()
    due = deadline(state, "disposal").due_at
    now = change(state)

    assert sp.decide_warn(now, CASE, "disposal", due, due) == []
    assert sp.decide_overdue(now, CASE, "disposal", due, due) == []
    assert sp.decide_escalate(now, CASE, "disposal", due, due) == []


@pytest.mark.parametrize(
    ("level", "area", "expected"),
    [
        ("community", GRID, ("street", GRID[:9])),
        ("street", GRID, ("district", GRID[:6])),
        ("district", GRID, ("city", None)),
        (None, GRID, ("street", GRID[:9])),
        ("community", None, ("street", None)),
        ("street", "3203", ("district", None)),
    ],
)
def test_escalation_goes_one_level_up_to_the_area_there(
    level: UnitLevel | None, area: str | None, expected: tuple[str, str | None]
) -> None:
    assert escalation_target(level, area) == expected


def test_timer_changes_name_the_stages_whose_running_deadline_appeared_moved_or_stopped() -> None:
    before = opened()
    sign_for, disposal = deadline(before, "sign_for"), deadline(before, "disposal")
    after_disposal = disposed(before)
    verification = deadline(after_disposal, "verification")

    assert timer_changes({}, before.running()) == [TimerChange("disposal", disposal),
                                                   TimerChange("sign_for", sign_for)]  # fmt: skip
    assert timer_changes(before.running(), after_disposal.running()) == [
        TimerChange("disposal", None), TimerChange("sign_for", None), TimerChange("verification", verification),
    ]  # fmt: skip
    assert timer_changes(before.running(), parked(before).running()) == [TimerChange("disposal", None),
                                                                         TimerChange("sign_for", None)]  # fmt: skip
    assert timer_changes(before.running(), before.running()) == []
    moved = after(sp.decide_extend(before, act(DISPATCHER_WANG, PARKED_AT, None), 1, "closure", RULES), before)
    assert timer_changes(before.running(), moved.running()) == [TimerChange("disposal", deadline(moved, "disposal"))]


# Access: who may act on which case


def person(*roles: str, unit: str | None = None, areas: tuple[str, ...] = ()) -> Principal:
    return Principal(subject="someone", kind="person", roles=frozenset(roles), unit=unit, areas=areas)


def test_a_unit_sees_and_acts_on_its_own_cases_only() -> None:
    state = opened()

    access.check_visible(person(UNIT_STAFF, unit=UNIT), state)
    assert access.acting_unit(person(UNIT_STAFF, unit=UNIT), state) == UNIT
    with pytest.raises(Forbidden):
        access.check_visible(person(UNIT_STAFF, unit=OTHER_UNIT), state)
    with pytest.raises(Forbidden):
        access.acting_unit(person(UNIT_STAFF, unit=OTHER_UNIT), state)


def test_verifiers_are_the_area_s_grid_members_and_supervisors() -> None:
    state = disposed()

    assert access.check_verifier(person(GRID_MEMBER, areas=(GRID[:12],)), state) is None
    assert access.check_verifier(person(SUPERVISOR), state) is None
    with pytest.raises(Forbidden):
        access.check_verifier(person(GRID_MEMBER, areas=("320303002",)), state)
    with pytest.raises(Forbidden):
        access.check_verifier(person(UNIT_STAFF, unit=UNIT), state)


def test_deciders_shift_leads_call_back_team_and_reviewers() -> None:
    state = opened()

    access.check_decider(person(DISPATCHER, areas=(GRID[:6],)), state)
    access.check_decider(person(SHIFT_LEAD), state)
    access.check_resumer(person(UNIT_STAFF, unit=UNIT), state)
    access.check_shift_lead(person(SHIFT_LEAD), state)
    access.check_caller_back(person(CALLBACK_TEAM), state)
    access.check_reviewer(person(SUPERVISOR), state)
    for check, caller in [
        (access.check_decider, person(DISPATCHER, areas=("320311",))),
        (access.check_decider, person(UNIT_STAFF, unit=UNIT)),
        (access.check_resumer, person(UNIT_STAFF, unit=OTHER_UNIT)),
        (access.check_shift_lead, person(DISPATCHER, areas=(GRID[:6],))),
        (access.check_caller_back, person(SUPERVISOR)),
        (access.check_reviewer, person(CALLBACK_TEAM)),
    ]:
        with pytest.raises(Forbidden):
            check(caller, state)
