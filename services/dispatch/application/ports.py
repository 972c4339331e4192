"""What Dispatch's use cases need from storage, and the typed rows they get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from casekit.access.scope import Scope
from casekit.eventstore import Connection
from services.dispatch.domain.assignment import Assignment


@dataclass(frozen=True)
class AssignmentRow:
    """One case as a unit's or a dispatcher's list shows it (待办)."""

    case_id: UUID
    case_number: str | None
    status: str
    channel: str
    category_code: str
    urgency: str
    area_code: str | None
    lead_unit: str | None
    lead_name: str | None
    assisting: list[str]
    signed: list[str]
    returns: int
    owner_final: bool
    pending_extension: int | None
    pending_park: str | None
    parked: bool
    sign_for_due_at: datetime | None
    confirmation_due_at: datetime | None
    opened_at: datetime
    updated_at: datetime
    work_order_no: str | None = None
    """工单编号 of a 12345 work order."""
    reply_due_at: datetime | None = None
    """The work order's reply due (办理截止时间), as the hotline last set it."""
    pending_return: str | None = None
    """The reason of a work order's return request waiting for the hotline's decision (退单申请)."""


@dataclass(frozen=True)
class AssignmentFilter:
    unit: str | None = None
    """Lead or assisting."""
    status: str | None = None
    category_code: str | None = None
    area_code: str | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    scope: Scope = field(default_factory=Scope)
    """What the caller may see (services/dispatch/domain/access.py), whatever the filters ask."""


class Assignments(Protocol):
    async def save(self, conn: Connection, case_id: UUID, state: Assignment, at: datetime) -> None: ...

    async def get(self, conn: Connection, case_id: UUID) -> AssignmentRow | None: ...

    async def search(
        self, conn: Connection, filters: AssignmentFilter, cursor: str | None, limit: int
    ) -> tuple[list[AssignmentRow], str | None]: ...
