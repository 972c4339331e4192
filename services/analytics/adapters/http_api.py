"""Analytics' HTTP API: the case trace."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter
from pydantic import BaseModel

from casekit.errors import NotFound
from casekit.runtime import RuntimeDep

router = APIRouter(prefix="/v1/cases", tags=["cases"])

TRACE = """SELECT event_id, service, type, occurred_at, actor, trace_id, data::text FROM case_trace
    WHERE case_id = $1 ORDER BY occurred_at, event_id"""


class TraceEntry(BaseModel):
    event_id: UUID
    service: str
    type: str
    occurred_at: datetime
    actor: str | None
    trace_id: str | None
    data: dict[str, Any]


class CaseTrace(BaseModel):
    """案件轨迹: everything that happened to a case, in every service, in order."""

    case_id: UUID
    events: list[TraceEntry]


@router.get("/{case_id}/trace")
async def get_case_trace(case_id: UUID, runtime: RuntimeDep) -> CaseTrace:
    rows = await runtime.pool.fetch(TRACE, case_id)
    if not rows:
        raise NotFound(f"no events for case {case_id}")
    return CaseTrace(
        case_id=case_id,
        events=[
            TraceEntry(
                event_id=r[0],
                service=r[1],
                type=r[2],
                occurred_at=r[3],
                actor=r[4],
                trace_id=r[5],
                data=orjson.loads(r[6]),
            )
            for r in rows
        ],
    )


reports_router = APIRouter(prefix="/v1/reports", tags=["reports"])

REPORT_COUNTS = """SELECT data->>'channel' AS channel,
        count(*) FILTER (WHERE type = 'intake.ReportReceived') AS opened,
        count(*) FILTER (WHERE type = 'intake.ReportLinked') AS merged
    FROM case_trace WHERE type IN ('intake.ReportReceived', 'intake.ReportLinked')
      AND occurred_at >= $1 AND occurred_at < $2
    GROUP BY 1 ORDER BY 1"""


class ChannelCount(BaseModel):
    """Reports per channel: those that opened a case, and those merged into one (并单)."""

    channel: str
    opened: int
    merged: int


@reports_router.get("/counts")
async def report_counts(
    runtime: RuntimeDep, since: datetime = datetime(1970, 1, 1, tzinfo=UTC), until: datetime | None = None
) -> list[ChannelCount]:
    """Every report counts, merged ones too: the basis of report-volume figures (考核)."""
    rows = await runtime.pool.fetch(REPORT_COUNTS, since, until or datetime.now(UTC))
    return [ChannelCount(channel=r[0], opened=r[1], merged=r[2]) for r in rows]
