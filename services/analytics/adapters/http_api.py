"""Analytics' HTTP API: the case trace and the report counts; the SQL is the views'."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.errors import Forbidden, NotFound
from schemas.access import UNIT_STAFF
from schemas.dispatch import CaseRouted
from services.analytics.adapters.deps import AnalyticsDep
from services.analytics.adapters.http_figures import AsOf
from services.analytics.adapters.views import case_trace, report_counts
from services.analytics.adapters.views.case_trace import TraceEntry
from services.analytics.adapters.views.report_counts import ChannelCount
from services.analytics.domain.stages import TracedEvent, stage_times

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class StageOut(BaseModel):
    """One stage of the loop: how long the case spent in it, against its deadline."""

    stage: str
    label_zh: str
    started_at: datetime
    ended_at: datetime | None = Field(description="None: the case is in this stage now")
    hours: float | None
    due_at: datetime | None
    late: bool | None


class MergedReport(BaseModel):
    """并单: a report linked to this case as a duplicate."""

    report_id: UUID
    received_at: datetime
    case_number: str | None
    channel: str | None
    category_code: str | None
    distance_m: float | None
    external_id: str | None


class CaseTrace(BaseModel):
    """案件轨迹: everything that happened to a case, in every service, in order, the time in each stage
    and the duplicate reports merged into it."""

    case_id: UUID
    as_of: datetime | None = None
    events: list[TraceEntry]
    stages: list[StageOut]
    merged_reports: list[MergedReport]


@router.get("/{case_id}/trace")
async def get_case_trace(case_id: UUID, analytics: AnalyticsDep, caller: Caller, as_of: AsOf = None) -> CaseTrace:
    events = await case_trace.case_trace(analytics.pool, case_id, as_of)
    if not events:
        raise NotFound(f"no events for case {case_id}")
    check_unit(caller, events)
    traced = [TracedEvent(e.type, e.occurred_at, e.data) for e in events]
    stages = [StageOut(**vars(stage)) for stage in stage_times(traced, as_of or datetime.now(UTC))]
    merged = [MergedReport(**report) for report in await case_trace.merged_reports(analytics.pool, case_id, as_of)]
    return CaseTrace(case_id=case_id, as_of=as_of, events=events, stages=stages, merged_reports=merged)


def check_unit(caller: Principal, events: list[TraceEntry]) -> None:
    """A unit's staff (with no broader role) read only traces of cases routed to their unit."""
    if caller.kind == "system" or caller.roles - {UNIT_STAFF}:
        return
    units = {event.data.get("unit_code") for event in events if event.type == CaseRouted.type}
    if caller.unit is None or caller.unit not in units:
        raise Forbidden("this case is not assigned to the caller's unit")


reports_router = APIRouter(prefix="/v1/reports", tags=["reports"])


@reports_router.get("/counts")
async def get_report_counts(
    analytics: AnalyticsDep,
    caller: Caller,
    since: datetime = datetime(1970, 1, 1, tzinfo=UTC),
    until: datetime | None = None,
) -> list[ChannelCount]:
    """Every report counts, merged ones too: the basis of report-volume figures (考核)."""
    return await report_counts.counts_per_channel(analytics.pool, since, until or datetime.now(UTC))
