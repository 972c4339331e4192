"""What the public (the hotline, Open311 clients) is told about a case, from downstream events.

Statuses: received, confirmed, dispatched, accepted, disposed, closed, returned, voided.
Events that do not exist yet (accept, dispose, close…) join this table as their issues land.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from schemas.base import Event
from schemas.dispatch import CaseConfirmed, CaseReturned, CaseRouted, CaseSignedFor, CaseVoided, SelfDisposalRecorded

PublicStatus = Literal["received", "confirmed", "dispatched", "accepted", "disposed", "closed", "returned", "voided"]
OPEN_STATUSES: frozenset[str] = frozenset({"received", "confirmed", "dispatched", "accepted", "disposed", "returned"})


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


PUBLIC_CHANGES: dict[type[Event], Callable[[Any], StatusChange | None]] = {
    CaseConfirmed: lambda e: StatusChange("confirmed", "已现场核实", at=e.confirmed_at),
    CaseRouted: _routed,
    CaseSignedFor: _signed_for,
    CaseReturned: lambda e: StatusChange("returned", "责任单位退回，正在重新派遣", at=e.returned_at),
    CaseVoided: lambda e: StatusChange("voided", "经现场核实不予立案", at=e.voided_at),
    SelfDisposalRecorded: lambda e: StatusChange("disposed", "网格员已现场处置，待核查", at=e.recorded_at),
}


def public_change(event: Event) -> StatusChange | None:
    """The public status change an event makes, or None for events the public does not see."""
    change = PUBLIC_CHANGES.get(type(event))
    return change(event) if change else None
