"""What each service's events say about a case's facts (案件事实): one `FactChange` per event type.

The disposal deadline is the one the assessment holds a unit to (应结案): set when Closure opens,
moved by a change of unit, an extension (延期) or a resume after a park (挂账); a rework's or a
reopening's new deadline is the unit's next round, not a new due date for the case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from casekit.imports import is_imported
from schemas import closure as c
from schemas import dispatch as d
from schemas import intake as i
from schemas.base import Event
from services.analytics.domain.case_facts import FactChange, h3_cell

E = TypeVar("E", bound=Event)
ChangeOf = Callable[[Any, str | None], FactChange]
"""An event and its actor to what it says about the case."""


def _at(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _disposal_due(deadlines: list[c.Deadline]) -> dict[str, Any]:
    due = [deadline.due_at for deadline in deadlines if deadline.stage == "disposal"]
    return {"disposal_due_at": _at(due[0])} if due else {}


def report_received(event: i.ReportReceived, actor: str | None) -> FactChange:
    place = event.place or i.Place()
    lat, lon = (event.location.lat, event.location.lon) if event.location else (None, None)
    return FactChange(
        set={
            "case_number": event.case_number,
            "channel": event.channel,
            "category_code": event.category_code,
            "district_code": place.district_code,
            "street_code": place.street_code,
            "community_code": place.community_code,
            "grid_code": place.grid_code,
            "lat": lat,
            "lon": lon,
            "h3_cell": h3_cell(lat, lon),
            "reported_at": _at(event.received_at),
            "found_by": event.self_disposed_by or actor,
            "self_disposed": event.self_disposed,
            "imported": is_imported(actor),
            "work_order_no": event.hotline.work_order_no if event.hotline else None,
        }
    )


def report_linked(event: i.ReportLinked, actor: str | None) -> FactChange:
    return FactChange(add={"merged_reports": 1})  # applied to the case it joined (linked_to_case_id)


def assignment_opened(event: d.AssignmentOpened, actor: str | None) -> FactChange:
    reply = {"reply_due_at": _at(event.reply_due_at)} if event.reply_due_at else {}
    return FactChange(set={"urgency": event.urgency, **reply}, first={"case_number": event.case_number})


def confirmation_requested(event: d.ConfirmationRequested, actor: str | None) -> FactChange:
    return FactChange(set={"confirmation_due_at": _at(event.due_at)})


def case_confirmed(event: d.CaseConfirmed, actor: str | None) -> FactChange:
    return FactChange(set={"confirmed_at": _at(event.confirmed_at), "confirmation_late": event.late})


def voided(event: d.CaseVoided | c.ClosureVoided, actor: str | None) -> FactChange:
    return FactChange(set={"voided_at": _at(event.voided_at)})


def case_routed(event: d.CaseRouted, actor: str | None) -> FactChange:
    return FactChange(
        set={"unit_code": event.unit_code, "unit_name": event.unit_name}, first={"routed_at": _at(event.routed_at)}
    )


def case_signed_for(event: d.CaseSignedFor, actor: str | None) -> FactChange:
    if event.role != "lead":
        return FactChange()
    return FactChange(first={"signed_for_at": _at(event.signed_at), "sign_for_late": event.late})


def case_returned(event: d.CaseReturned, actor: str | None) -> FactChange:
    return FactChange(raise_to={"returns": event.returns})


def self_disposal_recorded(event: d.SelfDisposalRecorded, actor: str | None) -> FactChange:
    return FactChange(
        set={"self_disposed": True}, first={"unit_code": event.unit_code, "disposed_at": _at(event.recorded_at)}
    )


def closure_opened(event: c.ClosureOpened, actor: str | None) -> FactChange:
    unit = {"unit_code": event.unit_code, "unit_name": event.unit_name} if event.unit_name else {}
    return FactChange(set={**unit, **_disposal_due(event.deadlines)}, first={"case_number": event.case_number})


def responsibility_moved(event: c.ResponsibilityMoved, actor: str | None) -> FactChange:
    return FactChange(
        set={"unit_code": event.unit_code, "unit_name": event.unit_name, **_disposal_due(event.deadlines)}
    )


def disposal_reported(event: c.DisposalReported, actor: str | None) -> FactChange:
    return FactChange(
        set={"disposal_method": event.method, "verification_due_at": _at(event.verification.due_at)},
        first={"disposed_at": _at(event.reported_at), "disposal_late": event.late},
    )


def verified(event: c.VerificationPassed | c.VerificationFailed, actor: str | None) -> FactChange:
    return FactChange(set={"verified_at": _at(event.verified_at), "verification_late": event.late})


def rework_ordered(event: c.ReworkOrdered, actor: str | None) -> FactChange:
    return FactChange(raise_to={"rework_count": event.rework_count})


def case_closed(event: c.CaseClosed, actor: str | None) -> FactChange:
    return FactChange(set={"closed_at": _at(event.closed_at), "closure_kind": event.kind})


def callback_recorded(event: c.CallbackRecorded, actor: str | None) -> FactChange:
    return FactChange(
        set={"callback_result": event.result, "callback_at": _at(event.called_at), "callback_solved": event.solved}
    )


def case_reopened(event: c.CaseReopened, actor: str | None) -> FactChange:
    """重新打开: no longer closed until it closes again."""
    return FactChange(set={"closed_at": None, "closure_kind": None}, raise_to={"reopen_count": event.reopen_count})


def case_parked(event: c.CaseParked, actor: str | None) -> FactChange:
    return FactChange(set={"parked_at": _at(event.parked_at)})


def case_resumed(event: c.CaseResumed, actor: str | None) -> FactChange:
    return FactChange(set={"parked_at": None, **_disposal_due(event.deadlines)})


def deadline_extended(event: c.DeadlineExtended, actor: str | None) -> FactChange:
    reply = {"reply_due_at": _at(event.reply.due_at)} if event.reply else {}
    disposal = {"disposal_due_at": _at(event.disposal.due_at)} if event.disposal else {}
    return FactChange(set={**disposal, **reply})


def case_replied(event: c.CaseReplied, actor: str | None) -> FactChange:
    """办结回复: the hotline's clock judges the first reply; a reply after a reopening updates the outcome."""
    return FactChange(
        set={"reply_outcome": event.outcome}, first={"replied_at": _at(event.replied_at), "reply_late": event.late}
    )


def case_urged(event: c.CaseUrged, actor: str | None) -> FactChange:
    return FactChange(add={"urges": 1})


def case_escalated(event: c.CaseEscalated, actor: str | None) -> FactChange:
    return FactChange(add={"escalations": 1})


CHANGES: Mapping[type[Event], ChangeOf] = {
    i.ReportReceived: report_received,
    i.ReportLinked: report_linked,
    d.AssignmentOpened: assignment_opened,
    d.ConfirmationRequested: confirmation_requested,
    d.CaseConfirmed: case_confirmed,
    d.CaseVoided: voided,
    d.CaseRouted: case_routed,
    d.CaseSignedFor: case_signed_for,
    d.CaseReturned: case_returned,
    d.SelfDisposalRecorded: self_disposal_recorded,
    c.ClosureOpened: closure_opened,
    c.ResponsibilityMoved: responsibility_moved,
    c.DisposalReported: disposal_reported,
    c.VerificationPassed: verified,
    c.VerificationFailed: verified,
    c.ReworkOrdered: rework_ordered,
    c.CaseClosed: case_closed,
    c.CallbackRecorded: callback_recorded,
    c.CaseReopened: case_reopened,
    c.CaseParked: case_parked,
    c.CaseResumed: case_resumed,
    c.DeadlineExtended: deadline_extended,
    c.ClosureVoided: voided,
    c.CaseEscalated: case_escalated,
    c.CaseReplied: case_replied,
    c.CaseUrged: case_urged,
}


def case_of(event: Event) -> UUID:
    """The case a change belongs to: a merged report's is the case it joined."""
    return event.linked_to_case_id if isinstance(event, i.ReportLinked) else event.case_id
