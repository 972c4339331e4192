"""What the public (the hotline, Open311 clients) is told about a case, from downstream events.

Statuses: received, confirmed, dispatched, accepted, disposed, rework, closed, reopened,
in_review, parked, resumed, returned, voided. Open311 shows `closed` for closed and voided, `open`
for the rest (a parked case is not solved, so it stays open). Notes are Intake's own templates:
no free text from an event (a disposal's notes, a reason) reaches the public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from schemas.base import Event
from schemas.closure import (
    CallbackRecorded,
    CaseClosed,
    CaseParked,
    CaseReopened,
    CaseResumed,
    ClosureVoided,
    DisposalReported,
    ReviewDecided,
    ReworkOrdered,
    SatisfactionReviewOpened,
)
from schemas.dispatch import CaseConfirmed, CaseReturned, CaseRouted, CaseSignedFor, CaseVoided, SelfDisposalRecorded

PublicStatus = Literal[
    "received", "confirmed", "dispatched", "accepted", "disposed", "rework", "closed", "reopened", "in_review",
    "parked", "resumed", "returned", "voided",
]  # fmt: skip
CLOSED_STATUSES: frozenset[str] = frozenset({"closed", "voided"})
OPEN_STATUSES: frozenset[str] = frozenset(
    {"received", "confirmed", "dispatched", "accepted", "disposed", "rework", "reopened", "in_review", "parked",
     "resumed", "returned"}
)  # fmt: skip


@dataclass(frozen=True)
class StatusChange:
    status: PublicStatus
    note: str
    unit_code: str | None = None
    unit_name: str | None = None
    at: datetime | None = None
    """When it happened, by the event's own instant: it orders changes from different topics."""


def _routed(event: CaseRouted) -> StatusChange:
    return StatusChange("dispatched", f"已派遣至 {event.unit_name}", event.unit_code, event.unit_name, event.routed_at)


def _signed_for(event: CaseSignedFor) -> StatusChange | None:
    if event.role != "lead":  # an assisting unit's signature changes nothing the public sees
        return None
    return StatusChange("accepted", "责任单位已签收", event.unit_code, None, event.signed_at)


def _disposed(event: DisposalReported) -> StatusChange | None:
    if event.unit_code is None and event.round == 1:  # a self-disposal: Dispatch's SelfDisposalRecorded said so
        return None
    return StatusChange("disposed", "责任单位已处置，待核查", at=event.reported_at)


def _closed(event: CaseClosed) -> StatusChange:
    note = "已结案（特殊结案）" if event.kind == "special" else "核查通过，已结案"
    return StatusChange("closed", note, at=event.closed_at)


def _called_back(event: CallbackRecorded) -> StatusChange | None:
    # Unsatisfied: the reopening (or the review) that follows says what changes; unreachable: nothing yet.
    if event.result not in ("satisfied", "basically_satisfied"):
        return None
    return StatusChange("closed", "已回访，已结案", at=event.called_at)


def _reviewed(event: ReviewDecided) -> StatusChange | None:
    if event.decision != "uphold":  # reopen: CaseReopened follows
        return None
    return StatusChange("closed", "复核维持结案", at=event.decided_at)


def _reopened(event: CaseReopened) -> StatusChange:
    note = "复核后重新办理" if event.cause == "review" else "回访不满意，已重新交办"
    return StatusChange("reopened", note, event.unit_code, None, event.reopened_at)


PUBLIC_CHANGES: dict[type[Event], Callable[[Any], StatusChange | None]] = {
    CaseConfirmed: lambda e: StatusChange("confirmed", "已现场核实", at=e.confirmed_at),
    CaseRouted: _routed,
    CaseSignedFor: _signed_for,
    CaseReturned: lambda e: StatusChange("returned", "责任单位退回，正在重新派遣", at=e.returned_at),
    CaseVoided: lambda e: StatusChange("voided", "经现场核实不予立案", at=e.voided_at),
    SelfDisposalRecorded: lambda e: StatusChange("disposed", "网格员已现场处置，待核查", at=e.recorded_at),
    DisposalReported: _disposed,
    ReworkOrdered: lambda e: StatusChange("rework", "核查未通过，责任单位重新处置", at=e.ordered_at),
    CaseClosed: _closed,
    CallbackRecorded: _called_back,
    CaseReopened: _reopened,
    SatisfactionReviewOpened: lambda e: StatusChange("in_review", "回访不满意，复核中", at=e.opened_at),
    ReviewDecided: _reviewed,
    CaseParked: lambda e: StatusChange("parked", "暂缓办理（挂账）", at=e.parked_at),
    CaseResumed: lambda e: StatusChange("resumed", "恢复办理", at=e.resumed_at),
    ClosureVoided: lambda e: StatusChange("voided", "案件已作废", at=e.voided_at),
}


def public_change(event: Event) -> StatusChange | None:
    """The public status change an event makes, or None for events the public does not see."""
    change = PUBLIC_CHANGES.get(type(event))
    return change(event) if change else None
