"""Analytics' HTTP API: the case trace and the report counts; the SQL is the views'."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.errors import Forbidden, NotFound
from schemas.access import UNIT_STAFF
from schemas.dispatch import CaseRouted
from services.analytics.adapters.deps import AnalyticsDep
from services.analytics.adapters.views import case_trace, report_counts
from services.analytics.adapters.views.case_trace import TraceEntry
from services.analytics.adapters.views.report_counts import ChannelCount

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class CaseTrace(BaseModel):
    """案件轨迹: everything that happened to a case, in every service, in order."""

    case_id: UUID
    events: list[TraceEntry]


@router.get("/{case_id}/trace")
async def get_case_trace(case_id: UUID, analytics: AnalyticsDep, caller: Caller) -> CaseTrace:
    events = await case_trace.case_trace(analytics.pool, case_id)
    if not events:
        raise NotFound(f"no events for case {case_id}")
    check_unit(caller, events)
    return CaseTrace(case_id=case_id, events=events)


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
