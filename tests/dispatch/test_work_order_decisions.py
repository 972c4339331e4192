"""A 12345 work order's decisions, pure: the reply due on every routing, returns and extensions the hotline
decides (ADR 0017), and an ordinary case's unchanged."""

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
    CaseReturned,
    CaseRouted,
    CaseUnroutable,
    ExtensionApproved,
    ExtensionRefused,
    ExtensionRequested,
    ReturnRefused,
    ReturnRequested,
    ReviewOpened,
)
from schemas.intake import Place
from services.dispatch.domain import assignment as a
from services.dispatch.domain.assignment import DECIDER, Act, Assignment, Open
from services.dispatch.domain.assignment_rules import Rules
from services.dispatch.domain.work_order import HOTLINE, decide_return_decision
from tests.dispatch.city_fixture import GRID

AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
REPLY_DUE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 27 November 2026, 17:00 in Xuzhou
CASE = uuid4()
STATION = "cm-320302001002-sanitation"
DISTRICT = "dt-all-sanitation"
WORK_ORDER = "BJ12345-20261124-0001"


def opened(work_order: bool = True, category: str = "06010") -> AssignmentOpened:
    place = Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
    return AssignmentOpened(case_id=CASE, channel="hotline", category_code=category, urgency="normal", place=place,
                            received_at=AT, opened_at=AT, reply_due_at=REPLY_DUE if work_order else None,
                            work_order_no=WORK_ORDER if work_order else None)  # fmt: skip


def after(events: Sequence[Event]) -> Assignment:
    return functools.reduce(DECIDER.evolve, events, DECIDER.initial)


def act(by: str = "user:someone", unit: str | None = None, note: str | None = None, minutes: int = 10) -> Act:
    return Act(CASE, by, AT + timedelta(minutes=minutes), unit, note)


def routed(rules: Rules, work_order: bool = True, category: str = "06010") -> list[Event]:
    return a.decide_open(DECIDER.initial, Open(opened(work_order, category=category), False, False), rules)


def signed(rules: Rules, work_order: bool = True) -> list[Event]:
    history = routed(rules, work_order)
    return history + a.decide_sign_for(after(history), act(unit=STATION))


def requested(rules: Rules) -> list[Event]:
    history = routed(rules)
    return history + a.decide_return(after(history), act(unit=STATION, note="小区内道路"), "not_our_area",
                                     "物业管理条例第二十条")  # fmt: skip


def test_every_routing_of_a_work_order_carries_its_reply_due(rules: Rules) -> None:
    first = routed(rules)
    history = first + a.decide_reassign(after(first), act(), rules, DISTRICT)
    plain = routed(rules, work_order=False)

    [_, routing, reassignment] = history
    assert isinstance(routing, CaseRouted)
    assert isinstance(reassignment, CaseRouted)
    assert routing.reply_due_at == reassignment.reply_due_at == REPLY_DUE
    assert isinstance(plain[1], CaseRouted)
    assert plain[1].reply_due_at is None


def test_a_work_orders_return_is_a_request_and_the_unit_keeps_the_case(rules: Rules) -> None:
    history = requested(rules)

    request = history[-1]
    assert isinstance(request, ReturnRequested)
    assert (request.unit_code, request.reason, request.note) == (STATION, "not_our_area", "小区内道路")
    assert (request.basis, request.returns, request.requested_by) == ("物业管理条例第二十条", 1, "user:someone")
    state = after(history)
    assert (state.status, state.lead, state.returns) == ("routed", STATION, 0)
    assert state.pending_return == request
    with pytest.raises(RuleViolation, match="already waiting"):
        a.decide_return(state, act(unit=STATION), "not_our_trade")


def test_the_hotlines_approval_returns_the_case_and_reroutes_it_without_the_returner(rules: Rules) -> None:
    history = requested(rules)

    decided = decide_return_decision(after(history), act(HOTLINE, note="同意改派", minutes=30), rules, True)

    [returned, rerouted] = decided
    assert isinstance(returned, CaseReturned)
    assert (returned.unit_code, returned.reason, returned.note, returned.basis) == (
        STATION, "not_our_area", "小区内道路", "物业管理条例第二十条")  # fmt: skip
    assert (returned.returns, returned.returned_by) == (1, "user:someone")
    assert returned.returned_at == AT + timedelta(minutes=30)
    assert isinstance(rerouted, CaseRouted)
    assert (rerouted.kind, rerouted.routed_by, rerouted.unit_code) == ("reroute", HOTLINE, DISTRICT)
    assert rerouted.reply_due_at == REPLY_DUE
    assert rerouted.reason is not None
    assert rerouted.reason.excluded == [STATION]
    state = after(history + decided)
    assert (state.status, state.lead, state.returns, state.pending_return) == ("routed", DISTRICT, 1, None)


def test_an_approved_return_with_no_other_unit_is_unroutable(rules: Rules) -> None:
    # 黄楼街道 has one street squad: once it returns a street-order case, no other unit covers the place.
    history = routed(rules, category="09001")
    lead = after(history).lead
    history += a.decide_return(after(history), act(unit=lead), "not_our_trade")

    [_, unroutable] = decide_return_decision(after(history), act(HOTLINE), rules, True)

    assert isinstance(unroutable, CaseUnroutable)
    assert after([*history, unroutable]).status == "unroutable"


def test_the_second_approved_return_opens_review_instead_of_rerouting(rules: Rules) -> None:
    history = requested(rules)
    history += decide_return_decision(after(history), act(HOTLINE), rules, True)
    history += a.decide_sign_for(after(history), act(unit=DISTRICT))
    history += a.decide_return(after(history), act(unit=DISTRICT), "not_our_area")

    decided = decide_return_decision(after(history), act(HOTLINE), rules, True)

    assert [type(e) for e in decided] == [CaseReturned, ReviewOpened]
    assert isinstance(decided[1], ReviewOpened)
    assert decided[1].returned_by_units == [STATION, DISTRICT]
    assert after(history + decided).status == "in_review"
    [reviewed] = a.decide_review(after(history + decided), act(), rules, STATION)
    assert isinstance(reviewed, CaseRouted)
    assert reviewed.reply_due_at == REPLY_DUE


def test_the_hotlines_rejection_leaves_the_case_with_the_unit_which_may_ask_again(rules: Rules) -> None:
    history = requested(rules)

    [refused] = decide_return_decision(after(history), act(HOTLINE, note="属地管理, 请继续办理"), rules, False)

    assert isinstance(refused, ReturnRefused)
    assert (refused.unit_code, refused.note, refused.decided_by) == (STATION, "属地管理, 请继续办理", HOTLINE)
    state = after([*history, refused])
    assert (state.status, state.lead, state.returns, state.pending_return) == ("routed", STATION, 0, None)
    [again] = a.decide_return(state, act(unit=STATION), "not_our_trade")
    assert isinstance(again, ReturnRequested)
    assert again.returns == 1


def test_a_decision_with_no_request_waiting_records_nothing(rules: Rules) -> None:
    history = requested(rules)
    history += decide_return_decision(after(history), act(HOTLINE), rules, False)

    assert decide_return_decision(after(history), act(HOTLINE), rules, True) == []  # a redelivery
    assert decide_return_decision(after(routed(rules)), act(HOTLINE), rules, False) == []
    assert decide_return_decision(DECIDER.initial, act(HOTLINE), rules, True) == []  # no such case here


def test_a_reassignment_makes_a_waiting_return_request_moot(rules: Rules) -> None:
    history = requested(rules)
    history += a.decide_reassign(after(history), act(), rules, DISTRICT)

    assert after(history).pending_return is None
    assert decide_return_decision(after(history), act(HOTLINE), rules, True) == []


def test_an_ordinary_case_is_returned_at_once_with_its_basis(rules: Rules) -> None:
    history = routed(rules, work_order=False)

    [returned] = a.decide_return(after(history), act(unit=STATION), "not_our_area", "小区内道路归物业")

    assert isinstance(returned, CaseReturned)
    assert returned.basis == "小区内道路归物业"
    assert after([*history, returned]).status == "returned"


def test_a_work_orders_extension_asks_for_the_reply_due_moved_by_working_days(rules: Rules) -> None:
    history = signed(rules)

    [request] = a.decide_request_extension(after(history), act(unit=STATION, note="需协调物业"), 2, rules, "法定时限")

    assert isinstance(request, ExtensionRequested)
    # Friday 17:00 plus two working days: Tuesday 17:00 (the weekend does not count).
    assert request.new_due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert (request.days, request.basis, request.reason) == (2, "法定时限", "需协调物业")
    plain = signed(rules, work_order=False)
    [ordinary] = a.decide_request_extension(after(plain), act(unit=STATION, note="雨天"), 2, rules)
    assert isinstance(ordinary, ExtensionRequested)
    assert ordinary.new_due_at is None


def test_only_the_hotline_decides_a_work_orders_extension_with_the_due_it_grants(rules: Rules) -> None:
    history = signed(rules)
    history += a.decide_request_extension(after(history), act(unit=STATION, note="需协调物业"), 2, rules)
    granted = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    with pytest.raises(RuleViolation, match="hotline"):
        a.decide_extension(after(history), act("user:dispatcher"), True)
    [approved] = a.decide_extension(after(history), act(HOTLINE, note="同意延期"), True, granted)

    assert isinstance(approved, ExtensionApproved)
    assert (approved.days, approved.new_reply_due_at, approved.decided_by) == (2, granted, HOTLINE)
    state = after([*history, approved])
    assert state.pending_extension is None
    assert state.opened is not None
    assert state.opened.reply_due_at == granted
    # The reply due the hotline granted is the one every later routing carries.
    [moved] = a.decide_reassign(state, act(), rules, DISTRICT)
    assert isinstance(moved, CaseRouted)
    assert moved.reply_due_at == granted


def test_the_hotlines_refusal_of_an_extension_keeps_the_reply_due(rules: Rules) -> None:
    history = signed(rules)
    history += a.decide_request_extension(after(history), act(unit=STATION, note="需协调物业"), 2, rules)

    [refused] = a.decide_extension(after(history), act(HOTLINE), False)

    assert isinstance(refused, ExtensionRefused)
    state = after([*history, refused])
    assert state.pending_extension is None
    assert state.opened is not None
    assert state.opened.reply_due_at == REPLY_DUE


def test_an_ordinary_cases_extension_is_still_a_dispatchers(rules: Rules) -> None:
    history = signed(rules, work_order=False)
    history += a.decide_request_extension(after(history), act(unit=STATION, note="雨天"), 2, rules)

    [approved] = a.decide_extension(after(history), act("user:dispatcher"), True)

    assert isinstance(approved, ExtensionApproved)
    assert approved.new_reply_due_at is None
