"""结案台账的视图: a case in Closure as the HTTP API shows it, its times in the city's zone (+08:00).

UTC inside, the city's wall-clock zone (Asia/Shanghai) at the edge: every instant a view or a
history entry carries is turned into the city's zone here, and nowhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from schemas.base import Event
from schemas.closure import Deadline
from schemas.dispatch import TimeLimit
from services.closure.application.ports import CaseRow
from services.closure.domain.closure import CaseClosure


class CaseView(BaseModel):
    """A case in Closure as a work list shows it (待办, 超期, 即将到期)."""

    case_id: UUID
    case_number: str | None
    status: str = Field(description="open, returned, disposed, closed, in_review, parked or voided")
    unit_code: str | None = Field(description="The responsible unit (责任单位)")
    unit_name: str | None
    category_code: str | None
    area_code: str | None
    self_disposed: bool = Field(description="自行处置: fixed on the spot by a grid member; someone else verifies it")
    next_stage: str | None = Field(description="The running deadline due first")
    next_due_at: datetime | None
    overdue: list[str] = Field(description="超期: the stages whose deadline passed undone")
    escalated: list[str] = Field(description="督办: the overdue stages escalated to the level above")
    rework_count: int = Field(description="返工: failed verifications so far")
    reopen_count: int = Field(description="Reopenings after an unsatisfied call-back")
    closure_kind: str | None = Field(description="normal, late or special, once closed")
    callback_result: str | None = Field(description="回访: satisfied, basically_satisfied, unsatisfied, unreachable")
    opened_at: datetime
    updated_at: datetime
    work_order_no: str | None = Field(
        None, description="工单编号: a 12345 work order, replied to (办结) by its due time"
    )
    reply_due_at: datetime | None = Field(None, description="The hotline's due time for the final reply (办结回复)")
    reply_outcome: str | None = Field(
        None, description="办理结果 replied: solved, unsolved, partly_solved, not_handled"
    )
    replied_at: datetime | None = None
    urge_count: int = Field(0, description="催办/督办 notices the hotline sent about the work order")
    last_urge_kind: str | None = Field(None, description="The latest notice: urge (催办) or supervise (督办)")
    last_urged_at: datetime | None = Field(None, description="When the hotline issued the latest notice")


class DeadlineView(BaseModel):
    """时限: one stage's deadline, in the city's zone."""

    stage: str = Field(description="sign_for, disposal, verification, callback or reply (a 12345 work order's due)")
    limit: TimeLimit | None = Field(description="The rule's limit; None for the call-back (the next working day) "
                                                "and the reply (the hotline's own due time)")  # fmt: skip
    started_at: datetime
    warn_at: datetime = Field(description="预警: when the warning falls due")
    due_at: datetime
    running: bool = Field(description="False while the case is parked (挂账): its clock stands still (the hotline's "
                                      "reply clock never does)")  # fmt: skip
    warned: bool
    overdue: bool
    escalated: bool


class HistoryEntry(BaseModel):
    type: str
    at: datetime | None
    data: dict[str, Any]


class CaseDetail(CaseView):
    """One case: where it stands, its deadlines, and every event Closure recorded of it."""

    deadlines: list[DeadlineView]
    late: bool = Field(description="A disposal came after its deadline, or the disposal deadline was marked overdue")
    parked: bool
    callback_done: bool = Field(description="The resident gave an answer (not 'unreachable')")
    disposed_by: str | None = Field(description="Who reported the disposal in force: they may not verify it")
    history: list[HistoryEntry]


class CasePage(BaseModel):
    items: list[CaseView]
    next_cursor: str | None


def local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


def view(row: CaseRow, zone: ZoneInfo) -> CaseView:
    shown = CaseView.model_validate(row, from_attributes=True)
    return shown.model_copy(update={
        "next_due_at": local(row.next_due_at, zone), "opened_at": row.opened_at.astimezone(zone),
        "updated_at": row.updated_at.astimezone(zone), "reply_due_at": local(row.reply_due_at, zone),
        "replied_at": local(row.replied_at, zone), "last_urged_at": local(row.last_urged_at, zone),
    })  # fmt: skip


def _deadline(deadline: Deadline, state: CaseClosure, zone: ZoneInfo) -> DeadlineView:
    return DeadlineView(
        stage=deadline.stage, limit=deadline.limit, started_at=deadline.started_at.astimezone(zone),
        warn_at=deadline.warn_at.astimezone(zone), due_at=deadline.due_at.astimezone(zone),
        running=deadline.stage in state.running(), warned=deadline.stage in state.warned,
        overdue=deadline.stage in state.overdue, escalated=deadline.stage in state.escalated,
    )  # fmt: skip


def _zoned(value: Any, zone: ZoneInfo) -> Any:
    """An event's data with every instant in the city's zone, however deep (a deadline inside)."""
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo is not None else value
    if isinstance(value, dict):
        return {key: _zoned(item, zone) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_zoned(item, zone) for item in value]
    return value


def _instant(event: Event) -> datetime | None:
    return next((v for k, v in event if k.endswith("_at") and isinstance(v, datetime)), None)


def detail(row: CaseRow, state: CaseClosure, events: list[Event], zone: ZoneInfo) -> CaseDetail:
    history = [
        HistoryEntry(type=e.type, at=local(_instant(e), zone), data=_zoned(e.model_dump(exclude={"case_id"}), zone))
        for e in events
    ]
    deadlines = [_deadline(d, state, zone) for d in sorted(state.deadlines, key=lambda d: d.due_at)]
    return CaseDetail(
        **view(row, zone).model_dump(), deadlines=deadlines, late=state.late, parked=state.status == "parked",
        callback_done=state.callback_done, disposed_by=state.disposed_by, history=history,
    )  # fmt: skip
