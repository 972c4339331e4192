"""巡查 over HTTP: the city's grids' coverage for a day or a week, the open flags, an officer's day, and the
officers' and brigades' monthly assessment (docs/assessment.md, Officers). Times go out in the city's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from casekit.access.guard import Caller
from casekit.errors import InvalidInput
from services.analytics.adapters.deps import AnalyticsDep
from services.analytics.adapters.http_figures import AsOf, FigureOut, period
from services.analytics.adapters.views import coverage as view
from services.analytics.application.context import Analytics
from services.analytics.domain.patrols import (
    GridCoverage,
    OfficerMonth,
    coverage,
    days_of,
    month_of,
    officer_months,
)

router = APIRouter(prefix="/v1", tags=["patrols"])

Area = Annotated[str, Query(max_length=15, pattern=r"^\d*$", description="A jurisdiction code: its grids only")]


class GridCoverageOut(BaseModel):
    """One unit grid over the period: patrolled or not, time, distance, and what its patrols found."""

    grid_code: str
    name: str
    patrolled: bool
    days_patrolled: int = Field(description="City days with a patrol in the grid (1 at most for a day)")
    patrols: int
    seconds: float
    metres: float
    found: int = Field(description="Grid reports with a finding (巡查发现) in the grid, by the day received")
    fixed_on_spot: int = Field(description="当场处置")
    own_powers: int = Field(description="权限内自行处理")
    handed_over: int = Field(description="交办")
    flagged: bool = Field(description="未按时巡查: flagged before the period's end and not patrolled since")
    officers: list[str] = Field(description="Who led the patrols in the grid (their subjects)")


class CoverageOut(BaseModel):
    """覆盖率: every grid of the city (or of `area`), patrolled or not."""

    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    area: str
    as_of: datetime | None
    grids: list[GridCoverageOut]
    patrolled: int = Field(description="Grids patrolled in the period")
    total: int = Field(description="Grids listed")


def _known_area(analytics: Analytics, area: str) -> None:
    if area and area not in analytics.city.jurisdictions:
        raise InvalidInput(f"unknown area {area}")


def _grid_out(analytics: Analytics, g: GridCoverage) -> GridCoverageOut:
    p, f = g.patrolled, g.found
    return GridCoverageOut(
        grid_code=g.grid_code, name=analytics.name_of(g.grid_code), patrolled=p.days > 0, days_patrolled=p.days,
        patrols=p.patrols, seconds=round(p.seconds, 1), metres=round(p.metres, 1), found=f.found,
        fixed_on_spot=f.fixed_on_spot, own_powers=f.own_powers, handed_over=f.handed_over, flagged=g.flagged,
        officers=list(p.officers),
    )  # fmt: skip


@router.get("/patrols/coverage", response_model=CoverageOut, response_model_by_alias=True)
async def get_patrol_coverage(
    analytics: AnalyticsDep,
    caller: Caller,
    day: Annotated[date | None, Query(description="One city day, YYYY-MM-DD (neither day nor week: today)")] = None,
    week: Annotated[str | None, Query(max_length=8, description="An ISO week of city days, YYYY-Www")] = None,
    area: Area = "",
    as_of: AsOf = None,
) -> CoverageOut:
    """巡查覆盖 per grid for a day or an ISO week (neither: the city's today)."""
    today = datetime.now(UTC).astimezone(analytics.city.timezone).date()
    try:
        first, last = days_of(day, week, today)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    _known_area(analytics, area)
    span = period(analytics, first, last)
    grids = [j.code for j in analytics.city.jurisdictions.values() if j.level == "grid" and j.code.startswith(area)]
    at = span.end if as_of is None else min(span.end, as_of)
    rows = coverage(
        grids,
        await view.patrolled(analytics.pool, first, last, area, as_of),
        await view.found(analytics.pool, span.start, span.end, area, as_of),
        [flag.grid_code for flag in await view.open_flags(analytics.pool, at, area, as_of)],
    )
    out = [_grid_out(analytics, row) for row in rows]
    return CoverageOut(
        from_=first, to=last, area=area, as_of=as_of, grids=out, patrolled=sum(g.patrolled for g in out),
        total=len(out),
    )  # fmt: skip


class FlagOut(BaseModel):
    grid_code: str
    name: str
    flagged_at: datetime
    due_at: datetime
    last_patrolled_at: datetime | None = Field(description="None: never patrolled since the watch began")


@router.get("/patrols/flags")
async def get_patrol_flags(
    analytics: AnalyticsDep, caller: Caller, area: Area = "", as_of: AsOf = None
) -> list[FlagOut]:
    """未按时巡查: the grids flagged and not patrolled since (now, or as of an instant)."""
    _known_area(analytics, area)
    zone = analytics.city.timezone
    flags = await view.open_flags(analytics.pool, as_of or view.FOREVER, area, as_of)
    return [
        FlagOut(
            grid_code=f.grid_code, name=analytics.name_of(f.grid_code), flagged_at=f.flagged_at.astimezone(zone),
            due_at=f.due_at.astimezone(zone),
            last_patrolled_at=f.last_patrolled_at.astimezone(zone) if f.last_patrolled_at else None,
        )
        for f in flags
    ]  # fmt: skip


class VisitOut(BaseModel):
    grid_code: str
    name: str
    seconds: float
    metres: float
    points: int
    first_at: datetime
    last_at: datetime


class DayPatrolOut(BaseModel):
    patrol_id: UUID
    officer: str
    team: list[str]
    unit_code: str | None
    brigade_code: str | None
    started_at: datetime
    finished_at: datetime | None = Field(description="None: still patrolling")
    seconds: float | None = Field(description="The whole patrol's (across midnight too)")
    metres: float | None
    visits: list[VisitOut] = Field(description="This day's grids")


class DayFindingOut(BaseModel):
    case_id: UUID
    case_number: str | None
    category_code: str
    grid_code: str | None
    patrol_id: UUID | None
    finding: str | None
    received_at: datetime


class OfficerDayOut(BaseModel):
    """工作日志's figures: an officer's patrols and findings on one city day."""

    officer: str
    day: date
    patrols: list[DayPatrolOut]
    findings: list[DayFindingOut]
    seconds: float = Field(
        description="Time patrolled this day: a patrol within the day whole, one across midnight "
        "its grid visits of the day"
    )
    metres: float


@router.get("/patrols/officers/{officer}/days/{day}")
async def get_officer_day(
    analytics: AnalyticsDep,
    caller: Caller,
    officer: Annotated[str, Path(min_length=1, max_length=128)],
    day: date,
    as_of: AsOf = None,
) -> OfficerDayOut:
    span = period(analytics, day, day)
    zone = analytics.city.timezone
    patrols, findings = await view.officer_day(analytics.pool, officer, day, span.start, span.end, as_of)
    out = [
        DayPatrolOut(
            **{**{k: v for k, v in vars(p).items() if k != "visits"}, "started_at": p.started_at.astimezone(zone),
               "finished_at": p.finished_at.astimezone(zone) if p.finished_at else None},
            visits=[
                VisitOut(**{**vars(v), "first_at": v.first_at.astimezone(zone), "last_at": v.last_at.astimezone(zone)},
                         name=analytics.name_of(v.grid_code))
                for v in p.visits
            ],
        )
        for p in patrols
    ]  # fmt: skip
    totals = [patrol_on_day(p, day, zone) for p in out]
    return OfficerDayOut(
        officer=officer,
        day=day,
        patrols=out,
        findings=[DayFindingOut(**{**vars(f), "received_at": f.received_at.astimezone(zone)}) for f in findings],
        seconds=round(sum(seconds for seconds, _ in totals), 1),
        metres=round(sum(metres for _, metres in totals), 1),
    )


def patrol_on_day(patrol: DayPatrolOut, day: date, zone: tzinfo) -> tuple[float, float]:
    """A patrol's seconds and metres on `day`: all of it (outside the grids too) when it began and ended
    that day, as the officer's work log counts it; else that day's grid visits."""
    ended, whole = patrol.finished_at, (patrol.seconds, patrol.metres)
    one_day = ended is not None and patrol.started_at.astimezone(zone).date() == ended.astimezone(zone).date() == day
    if one_day and whole[0] is not None and whole[1] is not None:
        return whole[0], whole[1]
    return sum(v.seconds for v in patrol.visits), sum(v.metres for v in patrol.visits)


class OfficerRow(BaseModel):
    code: str = Field(description="The officer's subject, or the brigade's code")
    name: str = Field(description="The officer's name from duty.yaml (else the subject), or the brigade's name")
    unit_code: str | None = None
    brigade_code: str | None = None
    grids: list[str] = Field(default_factory=list, description="定岗: the grids assigned (officers)")
    officers: list[str] = Field(default_factory=list, description="The brigade's officers (brigades)")
    figures: dict[str, FigureOut]


class OfficerAssessmentOut(BaseModel):
    """队员考核: per officer and per brigade (中队), each figure with numerator and denominator."""

    model_config = ConfigDict(populate_by_name=True)

    month: str
    from_: date = Field(alias="from")
    to: date
    as_of: datetime | None
    officers: list[OfficerRow]
    brigades: list[OfficerRow]


@router.get("/assessment/officers", response_model=OfficerAssessmentOut, response_model_by_alias=True)
async def get_officer_assessment(
    analytics: AnalyticsDep,
    caller: Caller,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM")],
    as_of: AsOf = None,
) -> OfficerAssessmentOut:
    """A month's officers (the duty roster's, else those with a patrol started by its end) and their brigades."""
    try:
        first, last = month_of(month)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    span = period(analytics, first, last)
    inputs = await view.month_inputs(analytics.pool, first, last, span.start, span.end, as_of)
    assignments = list(analytics.duty.assignments(first, last)) if analytics.duty else inputs.assignments
    officers, brigades = officer_months(assignments, (last - first + timedelta(days=1)).days,
                                        inputs.patrolled, inputs.reports)  # fmt: skip
    assigned = {a.officer: a for a in assignments}

    def figures(row: OfficerMonth) -> dict[str, FigureOut]:
        return {key: FigureOut(**vars(f)) for key, f in row.figures.items()}

    return OfficerAssessmentOut(
        month=month, from_=first, to=last, as_of=as_of,
        officers=[
            OfficerRow(code=o.code, name=assigned[o.code].name or o.code, unit_code=assigned[o.code].unit_code,
                       brigade_code=assigned[o.code].brigade_code, grids=sorted(assigned[o.code].grids),
                       figures=figures(o))
            for o in officers
        ],
        brigades=[
            OfficerRow(code=b.code, name=analytics.name_of(b.code), officers=b.officers, figures=figures(b))
            for b in brigades
        ],
    )  # fmt: skip
