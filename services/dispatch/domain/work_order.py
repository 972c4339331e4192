"""A 12345 work order (工单) in Dispatch: the hotline, not a dispatcher, decides its returns and extensions.

A work order's return is a request (退单申请, `ReturnRequested`): the unit keeps the case and its
clocks run until the hotline decides. Approved (改派), the case is returned and re-routed by the
rules without the units that returned it; rejected (驳回), `ReturnRefused` and the unit works on.
An extension request (延期申请) asks for the reply due moved by working days on the city's calendar;
the hotline grants it with the due time it sets (ADR 0017).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from casekit.errors import RuleViolation
from schemas.base import Event
from schemas.dispatch import CaseReturned, ReturnReason, ReturnRefused, ReturnRequested, ReviewOpened, TimeLimit
from services.dispatch.domain.assignment_rules import RETURNS_BEFORE_REVIEW, Rules

if TYPE_CHECKING:
    from services.dispatch.domain.assignment import Act, Assignment

HOTLINE = "system:hotline"
"""The actor of the hotline's decisions, as Intake records them and Dispatch acts on them."""


def work_order_no(state: Assignment) -> str | None:
    """工单编号, for a case that is a 12345 work order."""
    return state.opened.work_order_no if state.opened else None


def request_return(state: Assignment, cmd: Act, unit: str, reason: ReturnReason, basis: str | None) -> list[Event]:
    """退单申请: the lead unit asks; a second request while one waits is refused."""
    if state.pending_return is not None:
        raise RuleViolation(f"a return request of work order {work_order_no(state)} is already waiting for the "
                            "12345 hotline's decision")  # fmt: skip
    return [ReturnRequested(
        case_id=cmd.case_id, unit_code=unit, reason=reason, note=cmd.note, basis=basis, returns=state.returns + 1,
        requested_by=cmd.by, requested_at=cmd.at,
    )]  # fmt: skip


def decide_return_decision(state: Assignment, cmd: Act, rules: Rules, approved: bool) -> list[Event]:
    """The hotline's 改派 or 驳回 of the waiting return request; nothing when none waits (a redelivery,
    or a request the case's reassignment has made moot)."""
    request, opened = state.pending_return, state.opened
    if request is None or opened is None:
        return []
    if not approved:
        return [ReturnRefused(case_id=cmd.case_id, unit_code=request.unit_code, note=cmd.note, decided_by=cmd.by,
                              decided_at=cmd.at)]  # fmt: skip
    returners = [*state.returned_by, request.unit_code]
    returned = CaseReturned(
        case_id=cmd.case_id, unit_code=request.unit_code, reason=request.reason, note=request.note,
        basis=request.basis, returns=request.returns, returned_by=request.requested_by, returned_at=cmd.at,
    )  # fmt: skip
    if request.returns >= RETURNS_BEFORE_REVIEW:
        return [returned, ReviewOpened(case_id=cmd.case_id, returns=request.returns, returned_by_units=returners,
                                       opened_at=cmd.at)]  # fmt: skip
    return [returned, rules.route(opened, cmd.at, "reroute", exclude=returners, by=cmd.by, note=cmd.note)]


def extension_due(state: Assignment, rules: Rules, days: int) -> datetime | None:
    """延期后截止时间 asked for: the reply due moved by `days` working days, when the case has one."""
    due = state.opened.reply_due_at if state.opened else None
    return rules.calendar.due(due, TimeLimit(amount=days, unit="working_days")) if due else None


def check_extension_decider(state: Assignment, cmd: Act) -> None:
    """A work order's extension is the hotline's to decide, never a dispatcher's."""
    number = work_order_no(state)
    if number is not None and cmd.by != HOTLINE:
        raise RuleViolation(f"case {cmd.case_id} is 12345 work order {number}: the hotline decides its extensions")
