"""The Assignment aggregate (派遣): one case from intake to a unit that has signed for it.

Its life: opened; confirmed on site first (核实) for hotline and public reports; routed by the
rules to a lead unit (主办) with assisting units (协办); signed for (签收) or returned (退单);
re-routed, reassigned (改派), or after two returns reviewed, where a dispatcher names the single
owner (责任主体唯一) who can return it no more; extensions (延期) and parks (挂账) requested by the
lead and decided by a dispatcher. Self-disposed reports (自行处置) go to Closure instead. A 12345 work
order's returns and extensions are requests the hotline decides (services/dispatch/domain/work_order.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from uuid import UUID

from casekit.decider import Decider
from casekit.errors import RuleViolation
from schemas.base import Event
from schemas.dispatch import (
    DISPATCH_EVENTS,
    AssignmentOpened,
    AssistReported,
    CaseConfirmed,
    CaseReturned,
    CaseRouted,
    CaseSignedFor,
    CaseUnroutable,
    CaseVoided,
    ConfirmationOverdue,
    ConfirmationRequested,
    DepartmentLate,
    DepartmentReportedIn,
    ExtensionApproved,
    ExtensionRefused,
    ExtensionRequested,
    ParkApproved,
    ParkEnded,
    ParkRefused,
    ParkRequested,
    ReturnReason,
    ReturnRefused,
    ReturnRequested,
    ReviewOpened,
    SelfDisposalRecorded,
    SummonsIssued,
    VoidReason,
)
from services.dispatch.domain.assignment_rules import (
    RETURNS_BEFORE_REVIEW,
    Rules,
    routed,
    routed_to,
)
from services.dispatch.domain.routing import area_of
from services.dispatch.domain.work_order import check_extension_decider, extension_due, request_return

Status = Literal[
    "new", "awaiting_confirmation", "unroutable", "routed", "signed_for", "returned", "in_review", "voided",
    "self_disposed",
]  # fmt: skip
OPEN_TO_ROUTING: frozenset[Status] = frozenset({"unroutable", "returned"})
WITH_A_UNIT: frozenset[Status] = frozenset({"routed", "signed_for"})
ENDED: frozenset[Status] = frozenset({"voided", "self_disposed"})


@dataclass(frozen=True)
class Assignment:
    """派遣: where one case stands in Dispatch."""

    status: Status = "new"
    opened: AssignmentOpened | None = None
    """The case's terms as Dispatch took it in; a work order's `reply_due_at` moves when the hotline extends it."""
    lead: str | None = None
    lead_name: str | None = None
    assisting: tuple[str, ...] = ()
    signed: frozenset[str] = frozenset()
    sign_for_due_at: datetime | None = None
    confirmation_due_at: datetime | None = None
    confirmation_flagged: bool = False
    returns: int = 0
    returned_by: tuple[str, ...] = ()
    owner_final: bool = False
    pending_extension: int | None = None
    pending_park: str | None = None
    parked: bool = False
    pending_return: ReturnRequested | None = None
    """退单申请 of a work order, waiting for the hotline's decision."""

    @property
    def area_code(self) -> str | None:
        return area_of(self.opened.place if self.opened else None)[0]

    def units(self) -> tuple[str, ...]:
        return (self.lead, *self.assisting) if self.lead else self.assisting


@dataclass(frozen=True)
class Open:
    """A new case from Intake, with what routing needs."""

    opened: AssignmentOpened
    needs_confirmation: bool
    self_disposed: bool
    photo_url: str | None = None
    disposed_by: str | None = None
    own_powers_unit: str | None = None
    """权限内自行处理: the reporting officer's unit, which owns the case without routing."""


@dataclass(frozen=True)
class Act:
    """Who acts and when: the verified actor, and the unit they act for (unit staff)."""

    case_id: UUID
    by: str
    at: datetime
    unit: str | None = None
    note: str | None = None


def stream_id(case_id: UUID) -> str:
    return f"assignment-{case_id}"


def decide_open(state: Assignment, cmd: Open, rules: Rules) -> list[Event]:
    if state.status != "new":
        raise RuleViolation(f"case {cmd.opened.case_id} is already in Dispatch")
    opened, case_id, at = cmd.opened, cmd.opened.case_id, cmd.opened.opened_at
    if cmd.self_disposed:
        # The unit the rules would route it to answers for it should verification fail (返工).
        route = rules.route(opened, at, "routing")
        unit = route.unit_code if isinstance(route, CaseRouted) else None
        return [opened, SelfDisposalRecorded(
            case_id=case_id, area_code=area_of(opened.place)[0], photo_url=cmd.photo_url, recorded_at=at,
            disposed_by=cmd.disposed_by, category_code=opened.category_code, unit_code=unit,
        )]  # fmt: skip
    if cmd.needs_confirmation:
        limit = rules.confirmation_limit(opened.category_code, opened.urgency)
        return [opened, ConfirmationRequested(
            case_id=case_id, area_code=area_of(opened.place)[0], limit=limit,
            due_at=rules.calendar.due(at, limit), requested_at=at,
        )]  # fmt: skip
    if cmd.own_powers_unit is not None:
        return [opened, rules.route_own_powers(opened, cmd.own_powers_unit, at)]
    return [opened, rules.route(opened, at, "routing")]


def decide_confirm(state: Assignment, cmd: Act, rules: Rules) -> list[Event]:
    opened = _awaiting_confirmation(state)
    late = state.confirmation_flagged or (state.confirmation_due_at is not None and cmd.at > state.confirmation_due_at)
    confirmed = CaseConfirmed(case_id=cmd.case_id, confirmed_by=cmd.by, note=cmd.note, late=late, confirmed_at=cmd.at)
    return [confirmed, rules.route(opened, cmd.at, "routing")]


def decide_reject(state: Assignment, cmd: Act, reason: VoidReason) -> list[Event]:
    _awaiting_confirmation(state)
    return [CaseVoided(
        case_id=cmd.case_id, reason=reason, note=cmd.note, stage="confirmation", voided_by=cmd.by, voided_at=cmd.at,
    )]  # fmt: skip


def decide_flag_confirmation(state: Assignment, case_id: UUID, at: datetime) -> list[Event]:
    """The confirmation timer: flag it once, only if still unconfirmed."""
    if state.status != "awaiting_confirmation" or state.confirmation_flagged or state.confirmation_due_at is None:
        return []
    return [ConfirmationOverdue(case_id=case_id, area_code=state.area_code, due_at=state.confirmation_due_at,
                                flagged_at=at)]  # fmt: skip


def decide_sign_for(state: Assignment, cmd: Act) -> list[Event]:
    unit = _acting_unit(cmd)
    if unit == state.lead and state.status == "routed":
        late = state.sign_for_due_at is not None and cmd.at > state.sign_for_due_at
        return [CaseSignedFor(case_id=cmd.case_id, unit_code=unit, role="lead", late=late, signed_by=cmd.by,
                              signed_at=cmd.at)]  # fmt: skip
    if unit in state.assisting and state.status in WITH_A_UNIT and unit not in state.signed:
        return [CaseSignedFor(case_id=cmd.case_id, unit_code=unit, role="assist", signed_by=cmd.by, signed_at=cmd.at)]
    if unit in state.signed:
        raise RuleViolation(f"{unit} has already signed for case {cmd.case_id}")
    raise RuleViolation(f"case {cmd.case_id} is {state.status}; {unit} cannot sign for it now")


def decide_return(state: Assignment, cmd: Act, reason: ReturnReason, basis: str | None = None) -> list[Event]:
    """退单: returned at once; a 12345 work order's return is a request the hotline decides."""
    unit = _lead_acting(state, cmd)
    if state.owner_final:
        raise RuleViolation(f"责任主体唯一: review named {unit} the single owner of case {cmd.case_id}; it cannot "
                            "be returned again")  # fmt: skip
    if _opened(state).work_order_no is not None:
        return request_return(state, cmd, unit, reason, basis)
    returns = state.returns + 1
    events: list[Event] = [CaseReturned(
        case_id=cmd.case_id, unit_code=unit, reason=reason, note=cmd.note, basis=basis, returns=returns,
        returned_by=cmd.by, returned_at=cmd.at,
    )]  # fmt: skip
    if returns >= RETURNS_BEFORE_REVIEW:
        events.append(ReviewOpened(case_id=cmd.case_id, returns=returns,
                                   returned_by_units=[*state.returned_by, unit], opened_at=cmd.at))  # fmt: skip
    return events


def decide_reroute(state: Assignment, cmd: Act, rules: Rules, unit_id: str | None) -> list[Event]:
    """A dispatcher routes a returned or unroutable case: to a named unit, or by the rules minus its returners."""
    opened = _opened(state)
    if state.status not in OPEN_TO_ROUTING:
        hint = " (in review: name its single owner)" if state.status == "in_review" else ""
        raise RuleViolation(f"case {cmd.case_id} is {state.status}, not waiting to be routed{hint}")
    if unit_id is None:
        return [rules.route(opened, cmd.at, "reroute", exclude=state.returned_by, by=cmd.by, note=cmd.note)]
    return [routed_to(rules, opened, unit_id, cmd, "reroute")]


def decide_reassign(state: Assignment, cmd: Act, rules: Rules, unit_id: str) -> list[Event]:
    opened = _opened(state)
    if state.status in ENDED or state.status in ("awaiting_confirmation", "in_review"):
        raise RuleViolation(f"case {cmd.case_id} is {state.status}; it cannot be reassigned")
    if unit_id == state.lead:
        raise RuleViolation(f"case {cmd.case_id} is already with {unit_id}")
    return [routed_to(rules, opened, unit_id, cmd, "reassignment")]


def decide_review(state: Assignment, cmd: Act, rules: Rules, unit_id: str) -> list[Event]:
    opened = _opened(state)
    if state.status != "in_review":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}, not in review")
    return [routed_to(rules, opened, unit_id, cmd, "review", owner_final=True)]


def decide_request_extension(
    state: Assignment, cmd: Act, days: int, rules: Rules, basis: str | None = None
) -> list[Event]:
    unit = _lead_acting(state, cmd, signed=True)
    if state.pending_extension is not None:
        raise RuleViolation(f"an extension of {state.pending_extension} days is already waiting for a decision")
    return [ExtensionRequested(case_id=cmd.case_id, unit_code=unit, days=days, reason=cmd.note or "",
                               requested_by=cmd.by, requested_at=cmd.at, basis=basis,
                               new_due_at=extension_due(state, rules, days))]  # fmt: skip


def decide_extension(
    state: Assignment, cmd: Act, approve: bool, new_reply_due_at: datetime | None = None
) -> list[Event]:
    """延期审批: a dispatcher's, or for a work order the hotline's, with the reply due it grants."""
    check_extension_decider(state, cmd)
    if state.pending_extension is None or state.lead is None:
        raise RuleViolation(f"case {cmd.case_id} has no extension request waiting")
    if not approve:
        return [ExtensionRefused(case_id=cmd.case_id, unit_code=state.lead, days=state.pending_extension,
                                 note=cmd.note, decided_by=cmd.by, decided_at=cmd.at)]  # fmt: skip
    return [ExtensionApproved(case_id=cmd.case_id, unit_code=state.lead, days=state.pending_extension, note=cmd.note,
                              decided_by=cmd.by, decided_at=cmd.at, new_reply_due_at=new_reply_due_at)]  # fmt: skip


def decide_request_park(state: Assignment, cmd: Act) -> list[Event]:
    unit = _lead_acting(state, cmd, signed=True)
    if state.parked or state.pending_park is not None:
        raise RuleViolation(f"case {cmd.case_id} is already parked or waiting for a park decision")
    if not cmd.note:
        raise RuleViolation("a park request needs its reason")
    return [ParkRequested(case_id=cmd.case_id, unit_code=unit, reason=cmd.note, requested_by=cmd.by,
                          requested_at=cmd.at)]  # fmt: skip


def decide_park(state: Assignment, cmd: Act, approve: bool) -> list[Event]:
    if state.pending_park is None or state.lead is None:
        raise RuleViolation(f"case {cmd.case_id} has no park request waiting")
    kind = ParkApproved if approve else ParkRefused
    return [kind(case_id=cmd.case_id, unit_code=state.lead, reason=state.pending_park, note=cmd.note,
                 decided_by=cmd.by, decided_at=cmd.at)]  # fmt: skip


def decide_park_ended(state: Assignment, cmd: Act) -> list[Event]:
    """恢复办理 in Closure ends a park approved here; a case Dispatch did not park owes nothing."""
    if not state.parked or state.lead is None:
        return []
    return [ParkEnded(case_id=cmd.case_id, unit_code=state.lead, resumed_by=cmd.by, resumed_at=cmd.at)]


def decide_report_assist(state: Assignment, cmd: Act) -> list[Event]:
    unit = _acting_unit(cmd)
    if unit not in state.assisting or unit not in state.signed:
        raise RuleViolation(f"{unit} is not an assisting unit that has signed for case {cmd.case_id}")
    return [AssistReported(case_id=cmd.case_id, unit_code=unit, note=cmd.note or "", reported_by=cmd.by,
                           reported_at=cmd.at)]  # fmt: skip


def _opened(state: Assignment) -> AssignmentOpened:
    if state.opened is None:
        raise RuleViolation("no such case in Dispatch")
    return state.opened


def _awaiting_confirmation(state: Assignment) -> AssignmentOpened:
    opened = _opened(state)
    if state.status != "awaiting_confirmation":
        raise RuleViolation(f"case {opened.case_id} is {state.status}, not waiting for confirmation")
    return opened


def _acting_unit(cmd: Act) -> str:
    if cmd.unit is None:
        raise RuleViolation("only a unit's staff act for a unit")
    return cmd.unit


def _lead_acting(state: Assignment, cmd: Act, *, signed: bool = False) -> str:
    unit = _acting_unit(cmd)
    if unit != state.lead or state.status not in WITH_A_UNIT:
        raise RuleViolation(f"only the lead unit of a routed case may do this; case {cmd.case_id} is {state.status}")
    if signed and state.status != "signed_for":
        raise RuleViolation(f"{unit} must sign for case {cmd.case_id} first (签收)")
    return unit


def evolve(state: Assignment, event: Event) -> Assignment:
    match event:
        case AssignmentOpened():
            return replace(state, opened=event)
        case ConfirmationRequested():
            return replace(state, status="awaiting_confirmation", confirmation_due_at=event.due_at)
        case ConfirmationOverdue():
            return replace(state, confirmation_flagged=True)
        case CaseConfirmed() | AssistReported() | SummonsIssued() | DepartmentReportedIn() | DepartmentLate():
            return state
        case CaseVoided():
            return replace(state, status="voided")
        case SelfDisposalRecorded():
            return replace(state, status="self_disposed")
        case CaseRouted():
            return routed(state, event)
        case CaseUnroutable():
            return replace(state, status="unroutable", lead=None, lead_name=None, assisting=())
        case CaseSignedFor():
            status = "signed_for" if event.role == "lead" else state.status
            return replace(state, status=status, signed=state.signed | {event.unit_code})
        case CaseReturned():
            return replace(state, status="returned", returns=event.returns,
                           returned_by=(*state.returned_by, event.unit_code), pending_extension=None,
                           pending_park=None, pending_return=None)  # fmt: skip
        case ReturnRequested():
            return replace(state, pending_return=event)
        case ReturnRefused():
            return replace(state, pending_return=None)
        case ReviewOpened():
            return replace(state, status="in_review")
        case ExtensionRequested():
            return replace(state, pending_extension=event.days)
        case ExtensionApproved() if event.new_reply_due_at is not None and state.opened is not None:
            moved = state.opened.model_copy(update={"reply_due_at": event.new_reply_due_at})
            return replace(state, pending_extension=None, opened=moved)
        case ExtensionApproved() | ExtensionRefused():
            return replace(state, pending_extension=None)
        case ParkRequested():
            return replace(state, pending_park=event.reason)
        case ParkApproved():
            return replace(state, pending_park=None, parked=True)
        case ParkRefused():
            return replace(state, pending_park=None)
        case ParkEnded():
            return replace(state, parked=False)
        case _:
            raise TypeError(f"{type(event).__name__} is not an Assignment event")


DECIDER: Decider[Assignment, Event] = Decider(initial=Assignment(), evolve=evolve, events=DISPATCH_EVENTS)
