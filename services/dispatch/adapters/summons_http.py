"""吹哨报到 over HTTP: a dispatcher summons departments to a case's site; each reports in (报到) by the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from schemas.base import Event
from services.dispatch.adapters.deps import DispatchDep
from services.dispatch.application import summons as use
from services.dispatch.domain import summons as s

router = APIRouter(tags=["summons"])
CaseId = Annotated[UUID, "the case id"]
SummonsId = Annotated[UUID, "the summons id"]
UnitCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="A unit id of units.yaml")]


class DepartmentView(BaseModel):
    """A summoned department: a unit of the city's table, or a name the whistle gave (no unit)."""

    key: str = Field(description="How a report-in names it: the unit id, or the name as given")
    unit_code: str | None
    unit_name: str = Field(description="The unit's name, or the department as the whistle named it")
    reported_in_at: datetime | None = Field(description="报到: when it arrived on site; null until then")
    reported_by: str | None
    late: bool = Field(description="Not reported in by the deadline (flagged), or reported in after it")
    flagged_late_at: datetime | None = Field(description="When the deadline's timer found it missing")


class SummonsView(BaseModel):
    """吹哨: who was summoned, by whom, until when, and who has reported in."""

    summons_id: UUID
    source: Literal["whistle", "dispatcher"]
    community_code: str | None
    state: Literal["open", "complete"] = Field(description="complete once every department has reported in")
    limit_minutes: int
    due_at: datetime
    issued_by: str
    issued_at: datetime
    departments: list[DepartmentView]


class SummonsList(BaseModel):
    items: list[SummonsView]


class SummonBody(BaseModel):
    departments: list[UnitCode] = Field(min_length=1, max_length=20, description="Unit ids to summon")
    limit_minutes: int | None = Field(None, ge=1, le=24 * 60, description="报到时限; the city's default if absent")


class ReportInBody(BaseModel):
    department: str | None = Field(None, min_length=1, max_length=64, pattern=r"\S",
                                   description="The department's key; a unit's staff may leave it out "
                                               "(their own unit)")  # fmt: skip


def summons_view(summons: s.Summons) -> SummonsView:
    return SummonsView(
        summons_id=summons.summons_id, source=summons.source, community_code=summons.community_code,
        state="complete" if summons.complete else "open", limit_minutes=summons.limit_minutes,
        due_at=summons.due_at, issued_by=summons.issued_by, issued_at=summons.issued_at,
        departments=[DepartmentView.model_validate(d, from_attributes=True) for d in summons.departments],
    )  # fmt: skip


def summons_of(events: Sequence[Event]) -> list[SummonsView]:
    """A case's summonses from its events (the case detail shows them)."""
    return [summons_view(summons) for summons in s.DECIDER.fold(events).summonses]


@router.post("/v1/assignments/{case_id}/summons", status_code=201)
async def summon_departments(case_id: CaseId, body: SummonBody, dispatch: DispatchDep, caller: Caller) -> SummonsView:
    """吹哨: a dispatcher of the case's area summons units to the site, each to report in by the deadline."""
    async with dispatch.store.pool.acquire() as conn:
        summons = await use.summon_departments(dispatch, conn, case_id, caller, body.departments, body.limit_minutes)
    return summons_view(summons)


@router.post("/v1/assignments/{case_id}/summons/{summons_id}/report-in")
async def report_in(
    case_id: CaseId, summons_id: SummonsId, body: ReportInBody, dispatch: DispatchDep, caller: Caller
) -> SummonsView:
    """报到: a summoned unit's staff report in for their unit; a dispatcher of the area for a department
    the unit table does not know. After the deadline it still counts, marked late."""
    async with dispatch.store.pool.acquire() as conn:
        summons = await use.report_in(dispatch, conn, case_id, summons_id, caller, body.department)
    return summons_view(summons)


@router.get("/v1/assignments/{case_id}/summons")
async def list_summons(case_id: CaseId, dispatch: DispatchDep, caller: Caller) -> SummonsList:
    """A case's summonses and who has reported in: everyone who may see the case, and the summoned units."""
    async with dispatch.store.pool.acquire() as conn:
        summonses = await use.list_summons(dispatch, conn, case_id, caller)
    return SummonsList(items=[summons_view(summons) for summons in summonses])
