"""The Assignment aggregate's decisions, pure: confirmation, self-disposal, returns and review."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from casekit.errors import RuleViolation
from schemas.base import Event
from schemas.dispatch import (
    AssignmentOpened,
    CaseConfirmed,
    CaseRouted,
    CaseVoided,
    ConfirmationOverdue,
    ConfirmationRequested,
    ParkEnded,
    ParkRequested,
    ReviewOpened,
    SelfDisposalRecorded,
)
from schemas.intake import Place
from services.dispatch.domain import assignment as a
from services.dispatch.domain.assignment import DECIDER, Act, Assignment, Open
from services.dispatch.domain.assignment_rules import Rules
from tests.dispatch.city_fixture import GRID

AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
CASE = uuid4()
STATION = "cm-320302001002-sanitation"


def opened(channel: str = "grid", category: str = "06010") -> AssignmentOpened:
    place = Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
    return AssignmentOpened(case_id=CASE, channel=channel, category_code=category, urgency="normal",
                            place=place, received_at=AT, opened_at=AT)  # fmt: skip


def after(events: Sequence[Event]) -> Assignment:
    return functools.reduce(DECIDER.evolve, events, DECIDER.initial)


def act(at: datetime = AT, unit: str | None = None, note: str | None = None) -> Act:
    return Act(CASE, "user:someone", at, unit, note)


def test_a_hotline_report_waits_for_confirmation_with_its_deadline(rules: Rules) -> None:
    events = a.decide_open(DECIDER.initial, Open(opened("hotline"), needs_confirmation=True, self_disposed=False),
                           rules)  # fmt: skip

    [_, requested] = events
    assert isinstance(requested, ConfirmationRequested)
    assert requested.due_at == AT + timedelta(hours=1)  # the table's confirmation limit for normal cases
    assert after(events).status == "awaiting_confirmation"


def test_a_confirmation_after_the_deadline_is_late_and_the_case_is_routed(rules: Rules) -> None:
    state = after(a.decide_open(DECIDER.initial, Open(opened("hotline"), True, False), rules))

    on_time = a.decide_confirm(state, act(AT + timedelta(minutes=59)), rules)
    late = a.decide_confirm(state, act(AT + timedelta(minutes=61)), rules)

    assert isinstance(on_time[0], CaseConfirmed)
    assert not on_time[0].late
    assert isinstance(late[0], CaseConfirmed)
    assert late[0].late
    assert isinstance(late[1], CaseRouted)
    assert late[1].unit_code == STATION


def test_the_confirmation_timer_flags_once_and_never_a_confirmed_case(rules: Rules) -> None:
    history = a.decide_open(DECIDER.initial, Open(opened("hotline"), True, False), rules)
    flagged = a.decide_flag_confirmation(after(history), CASE, AT + timedelta(hours=2))
    confirmed = [*history, *a.decide_confirm(after(history), act(), rules)]

    assert [type(e) for e in flagged] == [ConfirmationOverdue]
    assert a.decide_flag_confirmation(after([*history, *flagged]), CASE, AT + timedelta(hours=3)) == []
    assert a.decide_flag_confirmation(after(confirmed), CASE, AT + timedelta(hours=2)) == []
    # A case flagged overdue is late when it is confirmed, whatever the clock says then.
    [confirmation, _] = a.decide_confirm(after([*history, *flagged]), act(), rules)
    assert isinstance(confirmation, CaseConfirmed)
    assert confirmation.late


def test_a_rejected_report_is_voided_with_its_reason(rules: Rules) -> None:
    state = after(a.decide_open(DECIDER.initial, Open(opened("public"), True, False), rules))

    [voided] = a.decide_reject(state, act(note="现场无此问题"), "not_found_on_site")

    assert isinstance(voided, CaseVoided)
    assert voided.stage == "confirmation"
    assert after([voided]).status == "voided"
    with pytest.raises(RuleViolation):
        a.decide_confirm(after([*a.decide_open(DECIDER.initial, Open(opened("public"), True, False), rules), voided]),
                         act(), rules)  # fmt: skip


def test_a_self_disposed_report_goes_to_closure_not_to_a_unit(rules: Rules) -> None:
    events = a.decide_open(DECIDER.initial, Open(opened(), False, True, "https://photos.example/1.jpg"), rules)

    assert [type(e) for e in events] == [AssignmentOpened, SelfDisposalRecorded]
    assert after(events).status == "self_disposed"
    assert after(events).lead is None


def test_two_returns_open_review_and_the_reviewed_owner_cannot_return(rules: Rules) -> None:
    history = a.decide_open(DECIDER.initial, Open(opened(), False, False), rules)
    first = a.decide_return(after(history), act(unit=STATION), "not_our_area")
    history += first
    history += a.decide_reroute(after(history), act(), rules, None)
    lead = after(history).lead
    second = a.decide_return(after(history), act(unit=lead), "not_our_trade")
    history += second
    history += a.decide_review(after(history), act(), rules, STATION)

    assert [type(e) for e in second] == [type(first[0]), ReviewOpened]
    assert after(history).owner_final
    with pytest.raises(RuleViolation, match="责任主体唯一"):
        a.decide_return(after(history), act(unit=STATION), "not_our_area")


def test_only_the_lead_returns_and_only_a_unit_signs(rules: Rules) -> None:
    state = after(a.decide_open(DECIDER.initial, Open(opened(), False, False), rules))

    with pytest.raises(RuleViolation):
        a.decide_return(state, act(unit="dt-all-sanitation"), "not_our_area")
    with pytest.raises(RuleViolation):
        a.decide_sign_for(state, act(unit=None))


def test_a_park_ends_when_closure_resumes_and_only_a_park_made_here_does(rules: Rules) -> None:
    history = a.decide_open(DECIDER.initial, Open(opened(), False, False), rules)
    history += a.decide_sign_for(after(history), act(unit=STATION))
    assert a.decide_park_ended(after(history), act()) == []  # never parked here (Closure's own 挂账)
    history += a.decide_request_park(after(history), act(unit=STATION, note="待冬季后施工"))
    history += a.decide_park(after(history), act(), approve=True)
    with pytest.raises(RuleViolation, match="already parked"):
        a.decide_request_park(after(history), act(unit=STATION, note="又一次"))

    ended = a.decide_park_ended(after(history), act())
    history += ended

    assert [type(e) for e in ended] == [ParkEnded]
    assert after(history).parked is False
    assert a.decide_park_ended(after(history), act()) == []  # the resume redelivered
    assert [type(e) for e in a.decide_request_park(after(history), act(unit=STATION, note="又一次"))] == [ParkRequested]
