"""巡查 The patrol API: start, send track points, finish, read a patrol's summary (docs/patrols.md).

Who patrols is the verified caller; times go out in the city's zone.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response
from pydantic import BaseModel

from casekit.access.guard import Caller
from schemas.patrol import PatrolFinish, PatrolStart, TrackBatch
from services.intake.adapters.deps import IntakeDep
from services.intake.application import patrols
from services.intake.application.patrol_ports import PatrolRow

router = APIRouter(tags=["patrols"])


class VisitView(BaseModel):
    day: date
    grid_code: str
    seconds: float
    metres: float
    points: int
    first_at: datetime
    last_at: datetime


class PatrolView(BaseModel):
    """A patrol's summary: who, where they are assigned, how long and how far, which grids on which days."""

    patrol_id: UUID
    officer: str
    team: list[str]
    unit_code: str
    brigade_code: str | None
    assigned_grids: list[str]
    patrol_day: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    points: int
    seconds: float
    metres: float
    visits: list[VisitView]


def view(row: PatrolRow, zone: ZoneInfo) -> PatrolView:
    return PatrolView(
        patrol_id=row.patrol_id, officer=row.officer, team=row.team, unit_code=row.unit_code,
        brigade_code=row.brigade_code, assigned_grids=row.assigned_grids, patrol_day=row.patrol_day,
        status=row.status, started_at=row.started_at.astimezone(zone),
        finished_at=row.finished_at.astimezone(zone) if row.finished_at else None,
        points=row.points, seconds=row.seconds, metres=row.metres,
        visits=[
            VisitView(day=v.day, grid_code=v.grid_code, seconds=v.seconds, metres=v.metres, points=v.points,
                      first_at=v.first_at.astimezone(zone), last_at=v.last_at.astimezone(zone))
            for v in row.visits
        ],
    )  # fmt: skip


@router.post(
    "/v1/patrols",
    status_code=201,
    response_model=PatrolView,
    responses={200: {"description": "The patrol this device id already started"}},
)
async def start_patrol(body: PatrolStart, intake: IntakeDep, caller: Caller) -> Response:
    """开始巡查: the caller's patrol, from their duty assignment; the same `patrol_id` again answers it (200)."""
    row, created = await patrols.start_patrol(body, intake, caller)
    return Response(
        view(row, intake.city.timezone).model_dump_json(),
        status_code=201 if created else 200,
        media_type="application/json",
        headers={"Location": f"/v1/patrols/{row.patrol_id}"},
    )


@router.post("/v1/patrols/{patrol_id}/track")
async def record_track(patrol_id: UUID, body: TrackBatch, intake: IntakeDep, caller: Caller) -> PatrolView:
    """轨迹: a batch of points in any order; points sent before are kept once."""
    return view(await patrols.record_track(patrol_id, body, intake, caller), intake.city.timezone)


@router.post("/v1/patrols/{patrol_id}/finish")
async def finish_patrol(patrol_id: UUID, body: PatrolFinish, intake: IntakeDep, caller: Caller) -> PatrolView:
    """结束巡查: the summary of the track, per city day and grid."""
    return view(await patrols.finish_patrol(patrol_id, body, intake, caller), intake.city.timezone)


@router.get("/v1/patrols/{patrol_id}")
async def read_patrol(patrol_id: UUID, intake: IntakeDep, caller: Caller) -> PatrolView:
    """A patrol's summary: the officer's own, or within a supervisor's areas."""
    return view(await patrols.get_patrol(patrol_id, intake, caller), intake.city.timezone)
