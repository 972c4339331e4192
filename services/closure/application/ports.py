"""What Closure's use cases need from storage, and the typed rows they get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from casekit.access.scope import Scope
from casekit.eventstore import Connection
from services.closure.domain.closure import CaseClosure


@dataclass(frozen=True)
class CaseRow:
    """One case as a work list shows it (待办, 超期, 即将到期)."""

    case_id: UUID
    case_number: str | None
    status: str
    unit_code: str | None
    unit_name: str | None
    category_code: str | None
    area_code: str | None
    self_disposed: bool
    next_stage: str | None
    """The running deadline due first."""
    next_due_at: datetime | None
    overdue: list[str]
    escalated: list[str]
    rework_count: int
    reopen_count: int
    closure_kind: str | None
    callback_result: str | None
    opened_at: datetime
    updated_at: datetime
    work_order_no: str | None = None
    """工单编号: a 12345 work order."""
    reply_due_at: datetime | None = None
    reply_outcome: str | None = None
    replied_at: datetime | None = None
    urge_count: int = 0
    """催办/督办 notices from the hotline."""
    last_urge_kind: str | None = None
    last_urged_at: datetime | None = None


@dataclass(frozen=True)
class CaseFilter:
    unit: str | None = None
    status: str | None = None
    area_code: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    """Due soon: a running deadline falls due before this instant."""
    scope: Scope = field(default_factory=Scope)
    """What the caller may see (services/closure/domain/access.py), whatever the filters ask."""


class Cases(Protocol):
    async def save(self, conn: Connection, case_id: UUID, state: CaseClosure, at: datetime) -> None: ...

    async def get(self, conn: Connection, case_id: UUID) -> CaseRow | None: ...

    async def search(
        self, conn: Connection, filters: CaseFilter, cursor: str | None, limit: int
    ) -> tuple[list[CaseRow], str | None]: ...


class CaseNumbers(Protocol):
    """案件编号 and 工单编号: each case's number and 12345 work-order number, from Dispatch's AssignmentOpened
    (for call-backs by number, work lists, and the reply a work order owes)."""

    async def note(
        self, conn: Connection, case_id: UUID, case_number: str | None, work_order_no: str | None = None
    ) -> None: ...

    async def number_of(self, conn: Connection, case_id: UUID) -> str | None: ...

    async def numbers_of(self, conn: Connection, case_id: UUID) -> tuple[str | None, str | None]:
        """(case number, work-order number), each None when Dispatch gave none."""
        ...

    async def case_of(self, conn: Connection, case_number: str) -> UUID | None: ...
