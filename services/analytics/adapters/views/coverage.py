"""巡查覆盖's SQL: a period's patrolled grids and findings, open flags, an officer's day, an officer month's inputs.

Everything reads the rows recorded by `as_of` (every row keeps its event's recording instant); days are the
city's: a visit carries its city day, a report's day is its `received_at` in the city's zone (the caller
passes the day's instants).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import asyncpg

from casekit.eventstore import Connection
from services.analytics.domain.patrols import Assignment, Found, MonthReport, Patrolled

FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
Db = asyncpg.Pool | Connection

PATROLLED = """SELECT grid_code, sum(seconds), sum(metres), count(DISTINCT patrol_id), count(DISTINCT day),
        array_agg(DISTINCT officer ORDER BY officer)
    FROM patrol_visits WHERE day >= $1 AND day <= $2 AND recorded_at <= $3 AND grid_code LIKE $4 GROUP BY 1"""
FOUND = """SELECT grid_code, count(*) FILTER (WHERE finding = 'fixed_on_spot'),
        count(*) FILTER (WHERE finding = 'own_powers'), count(*) FILTER (WHERE finding = 'handed_over')
    FROM patrol_reports WHERE channel = 'grid' AND finding IS NOT NULL AND grid_code LIKE $4
        AND received_at >= $1 AND received_at < $2 AND recorded_at <= $3 GROUP BY 1"""
# A grid's latest flag raised before `at`, open unless a patrol was in the grid after it was raised.
OPEN_FLAGS = """SELECT f.grid_code, f.flagged_at, f.due_at, f.last_patrolled_at FROM (
        SELECT DISTINCT ON (grid_code) grid_code, flagged_at, due_at, last_patrolled_at FROM grid_flags
        WHERE flagged_at < $1 AND recorded_at <= $2 AND grid_code LIKE $3 ORDER BY grid_code, flagged_at DESC
    ) f WHERE NOT EXISTS (SELECT 1 FROM patrol_visits v WHERE v.grid_code = f.grid_code
        AND v.last_at >= f.flagged_at AND v.first_at < $1 AND v.recorded_at <= $2)
    ORDER BY f.grid_code"""
DAY_PATROLS = """SELECT patrol_id, officer, team, unit_code, brigade_code, started_at, finished_at, seconds, metres
    FROM patrols p WHERE ($1 = p.officer OR $1 = ANY(p.team)) AND p.recorded_at <= $5 AND (
        EXISTS (SELECT 1 FROM patrol_visits v WHERE v.patrol_id = p.patrol_id AND v.day = $2)
        OR (p.started_at >= $3 AND p.started_at < $4))
    ORDER BY started_at, patrol_id"""
DAY_VISITS = """SELECT patrol_id, grid_code, seconds, metres, points, first_at, last_at FROM patrol_visits
    WHERE patrol_id = ANY($1) AND day = $2 AND recorded_at <= $3 ORDER BY first_at, grid_code"""
DAY_FINDINGS = """SELECT case_id, case_number, category_code, grid_code, patrol_id, finding, received_at
    FROM patrol_reports WHERE channel = 'grid' AND reporter = $1 AND received_at >= $2 AND received_at < $3
        AND recorded_at <= $4 ORDER BY received_at, case_id"""
# 定岗 as the officer's latest patrol before the month's end says (docs/assessment.md, Officers).
ASSIGNMENTS = """SELECT DISTINCT ON (officer) officer, unit_code, brigade_code, assigned_grids FROM patrols
    WHERE started_at < $1 AND recorded_at <= $2 AND unit_code IS NOT NULL ORDER BY officer, started_at DESC"""
GRID_DAYS = """SELECT m.member, v.day, v.grid_code FROM patrol_visits v JOIN patrols p USING (patrol_id)
    CROSS JOIN LATERAL unnest(array_prepend(p.officer, p.team)) AS m(member)
    WHERE v.day >= $1 AND v.day <= $2 AND v.recorded_at <= $3 GROUP BY 1, 2, 3"""
MONTH_REPORTS = """SELECT channel, grid_code, reporter, finding FROM patrol_reports
    WHERE received_at >= $1 AND received_at < $2 AND recorded_at <= $3"""


@dataclass(frozen=True)
class OpenFlag:
    """未按时巡查: flagged and not patrolled since."""

    grid_code: str
    flagged_at: datetime
    due_at: datetime
    last_patrolled_at: datetime | None


@dataclass(frozen=True)
class DayVisit:
    grid_code: str
    seconds: float
    metres: float
    points: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class DayPatrol:
    patrol_id: UUID
    officer: str
    team: list[str]
    unit_code: str | None
    brigade_code: str | None
    started_at: datetime
    finished_at: datetime | None
    seconds: float | None
    metres: float | None
    visits: list[DayVisit]
    """This day's part of the patrol (one across midnight has the rest on the next day)."""


@dataclass(frozen=True)
class DayFinding:
    case_id: UUID
    case_number: str | None
    category_code: str
    grid_code: str | None
    patrol_id: UUID | None
    finding: str | None
    received_at: datetime


async def patrolled(db: Db, first: date, last: date, area: str, as_of: datetime | None) -> dict[str, Patrolled]:
    rows = await db.fetch(PATROLLED, first, last, as_of or FOREVER, f"{area}%")
    return {r[0]: Patrolled(float(r[1]), float(r[2]), r[3], r[4], tuple(r[5])) for r in rows}


async def found(db: Db, start: datetime, end: datetime, area: str, as_of: datetime | None) -> dict[str, Found]:
    rows = await db.fetch(FOUND, start, end, as_of or FOREVER, f"{area}%")
    return {r[0]: Found(r[1], r[2], r[3]) for r in rows if r[0] is not None}


async def open_flags(db: Db, at: datetime, area: str = "", as_of: datetime | None = None) -> list[OpenFlag]:
    """The grids flagged before `at` and not patrolled since, as recorded by `as_of`."""
    rows = await db.fetch(OPEN_FLAGS, at, as_of or FOREVER, f"{area}%")
    return [OpenFlag(r[0], r[1], r[2], r[3]) for r in rows]


async def officer_day(
    db: Db, officer: str, day: date, start: datetime, end: datetime, as_of: datetime | None
) -> tuple[list[DayPatrol], list[DayFinding]]:
    """An officer's patrols with a part on `day` (or started then) and the grid reports they filed that day."""
    upto = as_of or FOREVER
    rows = await db.fetch(DAY_PATROLS, officer, day, start, end, upto)
    visits: dict[UUID, list[DayVisit]] = defaultdict(list)
    for v in await db.fetch(DAY_VISITS, [r[0] for r in rows], day, upto):
        visits[v[0]].append(DayVisit(v[1], v[2], v[3], v[4], v[5], v[6]))
    patrols = [DayPatrol(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], visits[r[0]]) for r in rows]
    findings = [DayFinding(*tuple(r)) for r in await db.fetch(DAY_FINDINGS, officer, start, end, upto)]
    return patrols, findings


@dataclass(frozen=True)
class MonthInputs:
    assignments: list[Assignment]
    patrolled: dict[str, set[tuple[date, str]]]
    reports: list[MonthReport]


async def month_inputs(
    db: Db, first: date, last: date, start: datetime, end: datetime, as_of: datetime | None
) -> MonthInputs:
    """What the officers' figures of a month are computed from (domain/patrols.py officer_months)."""
    upto = as_of or FOREVER
    assignments = [Assignment(r[0], r[1], r[2], frozenset(r[3])) for r in await db.fetch(ASSIGNMENTS, end, upto)]
    grid_days: dict[str, set[tuple[date, str]]] = defaultdict(set)
    for r in await db.fetch(GRID_DAYS, first, last, upto):
        grid_days[r[0]].add((r[1], r[2]))
    reports = [MonthReport(r[0], r[1], r[2], r[3]) for r in await db.fetch(MONTH_REPORTS, start, end, upto)]
    return MonthInputs(assignments, dict(grid_days), reports)
