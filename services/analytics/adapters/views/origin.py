"""问题溯源's SQL over the case facts: hotspots, recurrences, who finds problems, trends, one case's origin.

Every query reads the versions in force at `as_of` (FactQuery) and counts reports by the instant
they were received, in the city's calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from casekit.eventstore import Connection
from services.analytics.adapters.views.fact_queries import LEVEL_COLUMNS, FactQuery, Period

Db = asyncpg.Pool | Connection
PlaceLevel = Literal["district", "street", "community", "grid", "h3"]
Interval = Literal["day", "week", "month"]
ACTIVE = ("grid", "whistle")
"""主动发现: found by a grid patrol or a community whistle; the rest (hotline, public) came to us (被动)."""


async def hotspots(
    db: Db, period: Period, level: PlaceLevel, category: str | None, as_of: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """Reports per place × category in the period, against the period of as many days before it."""
    q, before = FactQuery(as_of), period.previous()
    column = LEVEL_COLUMNS[level]
    now, prev = q.within("reported_at", period), q.within("reported_at", before)
    where = [
        q.in_force(),
        f"reported_at >= {q.param(before.start)}",
        f"reported_at < {q.param(period.end)}",
        f"{column} IS NOT NULL",
    ]
    if category is not None:
        where.append(f"category_code = {q.param(category)}")
    sql = f"""SELECT {column} AS code, category_code, count(*) FILTER (WHERE {now}) AS count,
                     count(*) FILTER (WHERE {prev}) AS previous
              FROM case_facts WHERE {" AND ".join(where)} GROUP BY 1, 2
              ORDER BY 3 DESC, 1, 2 LIMIT {q.param(limit)}"""
    rows = await db.fetch(sql, *q.params)
    return [
        {
            **dict(r),
            "change": r["count"] - r["previous"],
            "change_rate": round((r["count"] - r["previous"]) / r["previous"], 4) if r["previous"] else None,
        }
        for r in rows
        if r["count"] or r["previous"]
    ]


async def recurrences(
    db: Db, period: Period, level: Literal["grid", "h3"], window_days: int, as_of: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """反复发生: places where a category came back within `window_days` of the case before, ranked."""
    q = FactQuery(as_of)
    column = LEVEL_COLUMNS[level]
    sql = f"""WITH cases AS (
                SELECT case_id, case_number, {column} AS code, category_code, reported_at,
                       lag(reported_at) OVER (PARTITION BY {column}, category_code ORDER BY reported_at, case_id)
                           AS before
                FROM case_facts
                WHERE {q.in_force()} AND {q.within("reported_at", period)} AND {column} IS NOT NULL
                  AND voided_at IS NULL)
              SELECT code, category_code, count(*) AS count,
                     count(*) FILTER (WHERE reported_at - before <= make_interval(days => {q.param(window_days)}))
                         AS recurrences,
                     array_agg(case_id::text ORDER BY reported_at, case_id) AS case_ids,
                     min(reported_at) AS first_at, max(reported_at) AS last_at
              FROM cases GROUP BY 1, 2
              HAVING count(*) FILTER (WHERE reported_at - before <= make_interval(days => {q.param(window_days)})) > 0
              ORDER BY 4 DESC, 3 DESC, 1, 2 LIMIT {q.param(limit)}"""
    return [dict(r) for r in await db.fetch(sql, *q.params)]


async def sources(db: Db, period: Period, level: str, code: str | None, as_of: datetime | None) -> list[dict[str, Any]]:
    """被动处置 → 主动发现: reports found actively against those that came in, per area."""
    q = FactQuery(as_of)
    column = LEVEL_COLUMNS[level]
    where = [q.in_force(), q.within("reported_at", period), f"{column} IS NOT NULL"]
    if code is not None:
        where.append(f"{column} = {q.param(code)}")
    active = ", ".join(f"'{channel}'" for channel in ACTIVE)
    sql = f"""SELECT {column} AS code, count(*) FILTER (WHERE channel IN ({active})) AS active,
                     count(*) FILTER (WHERE channel NOT IN ({active})) AS passive,
                     count(*) FILTER (WHERE channel = 'grid') AS grid,
                     count(*) FILTER (WHERE channel = 'whistle') AS whistle,
                     count(*) FILTER (WHERE channel = 'hotline') AS hotline,
                     count(*) FILTER (WHERE channel = 'public') AS public
              FROM case_facts WHERE {" AND ".join(where)} GROUP BY 1 ORDER BY 1"""
    rows = [dict(r) for r in await db.fetch(sql, *q.params)]
    for row in rows:
        total = row["active"] + row["passive"]
        row["active_share"] = round(row["active"] / total, 4) if total else None
    return rows


async def trends(
    db: Db, period: Period, interval: Interval, category: str | None, as_of: datetime | None
) -> list[dict[str, Any]]:
    """Reported and closed per day, week or month of the city's calendar."""
    counts: dict[str, dict[str, Any]] = {}
    for name, column in (("reported", "reported_at"), ("closed", "closed_at")):
        q = FactQuery(as_of)
        zone = q.param(str(period.zone))
        where = [q.in_force(), q.within(column, period)]
        if category is not None:
            where.append(f"category_code = {q.param(category)}")
        sql = f"""SELECT date_trunc('{interval}', {column} AT TIME ZONE {zone})::date AS period, count(*) AS n
                  FROM case_facts WHERE {" AND ".join(where)} GROUP BY 1 ORDER BY 1"""
        for row in await db.fetch(sql, *q.params):
            counts.setdefault(
                row["period"].isoformat(), {"period": row["period"].isoformat(), "reported": 0, "closed": 0}
            )[name] = row["n"]
    return [counts[key] for key in sorted(counts)]


SUMMARY = "case_id, case_number, category_code, channel, reported_at, closed_at, grid_code, unit_code"


async def search(db: Db, text: str, as_of: datetime | None, limit: int) -> list[dict[str, Any]]:
    """Cases by number (a prefix, any case) or by id."""
    q = FactQuery(as_of)
    try:
        by_id = f"case_id = {q.param(UUID(text))}"
    except ValueError:
        by_id = "false"
    pattern = q.param(text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    sql = f"""SELECT {SUMMARY} FROM case_facts
              WHERE {q.in_force()} AND reported_at IS NOT NULL AND (case_number LIKE {pattern} OR {by_id})
              ORDER BY reported_at DESC, case_id LIMIT {q.param(limit)}"""
    return [dict(r) for r in await db.fetch(sql, *q.params)]


async def case_origin(db: Db, case_id: UUID, as_of: datetime | None, limit: int) -> dict[str, Any] | None:
    """One case's first report and who found it, and the earlier cases of its category at its grid."""
    q = FactQuery(as_of)
    sql = f"""SELECT {SUMMARY}, found_by, self_disposed, imported, district_code, street_code, community_code,
                     h3_cell, merged_reports
              FROM case_facts WHERE {q.in_force()} AND case_id = {q.param(case_id)}"""
    row = await db.fetchrow(sql, *q.params)
    if row is None or row["reported_at"] is None:
        return None
    case = dict(row)
    earlier = FactQuery(as_of)
    sql = f"""SELECT {SUMMARY} FROM case_facts
              WHERE {earlier.in_force()} AND grid_code = {earlier.param(case["grid_code"])}
                AND category_code = {earlier.param(case["category_code"])}
                AND reported_at < {earlier.param(case["reported_at"])} AND case_id <> {earlier.param(case_id)}
              ORDER BY reported_at DESC LIMIT {earlier.param(limit)}"""
    case["earlier_cases"] = [dict(r) for r in await db.fetch(sql, *earlier.params)]
    return case
