"""The public view of each case (公开状态): `reports`, `status_changes` and the projection
`public_status`, all their SQL, returning `ReportSummary` rows.

`reports` is written once, when a report is recorded (adapters/submissions.py calls
`record_submission`); `public_status` follows Dispatch's and Closure's events (a projection,
rebuildable, ADR 0009); `status_changes` logs every change per report for the callbacks.
Read by the native API, Open311 and the duplicate check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from casekit.errors import InvalidInput
from casekit.eventstore import Connection
from casekit.projection import Names, Table
from casekit.sql_filters import Filters, decode_cursor, encode_cursor, page
from services.intake.application.ports import ReportSummary
from services.intake.domain.access import Scope
from services.intake.domain.duplicates import OpenCase
from services.intake.domain.public_status import OPEN_STATUSES, StatusChange

Reader = Connection | asyncpg.Pool

# The projection: where each case stands, from Dispatch's and Closure's events (ADR 0009).
# Upserts keep the latest change by the event's own time, so a rebuild that reads the topics in
# another interleaving ends up with the same rows.
PUBLIC_STATUS = Table(
    "public_status",
    """CREATE TABLE {table} (
        case_id     uuid PRIMARY KEY,
        status      text NOT NULL,
        note        text,
        unit_code   text,
        unit_name   text,
        open        boolean NOT NULL,
        changed_at  timestamptz NOT NULL
    );""",
)
UPSERT = """INSERT INTO {table} AS s (case_id, status, note, unit_code, unit_name, open, changed_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, note = excluded.note,
        unit_code = coalesce(excluded.unit_code, s.unit_code), unit_name = coalesce(excluded.unit_name, s.unit_name),
        open = excluded.open, changed_at = excluded.changed_at
    WHERE s.changed_at <= excluded.changed_at"""

# A report with where its case stands: a merged report (并单) shows its open case's status.
SUMMARY = """SELECT * FROM (SELECT r.case_id, r.case_number, r.channel, r.category_code, r.description, r.lat, r.lon,
        r.address, r.grid_code, r.community_code, r.street_code, r.district_code, r.external_id, r.photo_urls,
        r.needs_confirmation, r.received_at, r.linked_to, primary_case.case_number AS linked_number,
        coalesce(s.status, 'received') AS status,
        CASE WHEN s.status IS NULL AND r.linked_to IS NOT NULL THEN '已并入案件 ' || r.linked_to ELSE s.note END
            AS status_note,
        s.unit_code, s.unit_name, r.expected_at, greatest(r.received_at, s.changed_at) AS updated_at
    FROM reports r
    LEFT JOIN reports primary_case ON primary_case.case_id = r.linked_to
    LEFT JOIN public_status s ON s.case_id = coalesce(r.linked_to, r.case_id)) AS summaries"""
NEARBY = """SELECT r.case_id, r.category_code, r.lat, r.lon, r.received_at FROM reports r
    LEFT JOIN public_status s ON s.case_id = r.case_id
    WHERE r.linked_to IS NULL AND coalesce(s.open, true) AND r.category_code = $1 AND r.received_at >= $2
      AND r.lat BETWEEN $3 AND $4 AND r.lon BETWEEN $5 AND $6"""
# The open case's row first: it waits for (and then holds off) a merge in flight, whose FOR
# SHARE on this row makes it read the new status; then, in a statement of its own, every
# report of the case, so that one merged meanwhile is seen (sql/004).
LOCK_CASE = "SELECT 1 FROM reports WHERE case_id = $1 FOR UPDATE"
STATUS_CHANGES = """INSERT INTO status_changes (case_id, status, note, unit_name)
    SELECT case_id, $2, $3, $4 FROM reports WHERE case_id = $1 OR linked_to = $1 ORDER BY case_id
    RETURNING case_id"""
AREA_COLUMN = {6: "district_code", 9: "street_code", 12: "community_code", 15: "grid_code"}


class PublicStatusRows:
    """Writes one generation of the projection (the projection says which)."""

    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.upsert = UPSERT.format(table=names[PUBLIC_STATUS.name])

    async def apply(self, case_id: UUID, change: StatusChange, at: datetime) -> None:
        open_ = change.status in OPEN_STATUSES
        await self.conn.execute(
            self.upsert, case_id, change.status, change.note, change.unit_code, change.unit_name, open_, at
        )


def summary_of(row: asyncpg.Record) -> ReportSummary:
    return ReportSummary(**dict(row))


async def summary(conn: Reader, case_id: UUID) -> ReportSummary | None:
    row = await conn.fetchrow(f"{SUMMARY} WHERE case_id = $1", case_id)
    return summary_of(row) if row else None


async def case_by_number(conn: Reader, case_number: str) -> UUID | None:
    found: UUID | None = await conn.fetchval("SELECT case_id FROM reports WHERE case_number = $1", case_number)
    return found


async def open_cases_near(
    conn: Reader, category_code: str, lat: float, lon: float, box: tuple[float, float], since: datetime
) -> list[OpenCase]:
    dlat, dlon = box
    rows = await conn.fetch(NEARBY, category_code, since, lat - dlat, lat + dlat, lon - dlon, lon + dlon)
    return [OpenCase(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def record_change(conn: Connection, case_id: UUID, change: StatusChange) -> list[UUID]:
    """Log a change for the case and every report merged into it (the callbacks' source); the ids."""
    await conn.execute(LOCK_CASE, case_id)
    rows = await conn.fetch(STATUS_CHANGES, case_id, change.status, change.note, change.unit_name)
    return [row[0] for row in rows]


class SqlReports:
    """The `PublicReports` port of Intake's use cases."""

    summary = staticmethod(summary)
    case_by_number = staticmethod(case_by_number)
    open_cases_near = staticmethod(open_cases_near)
    record_change = staticmethod(record_change)


@dataclass(frozen=True)
class ReportFilter:
    channel: str | None = None
    category_code: str | None = None
    status: str | None = None
    area_code: str | None = None
    external_id: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    scope: Scope = field(default_factory=Scope)
    """What the caller may see (services/intake/domain/access.py), whatever the filters ask."""


async def search(
    pool: asyncpg.Pool, filters: ReportFilter, cursor: str | None, limit: int
) -> tuple[list[ReportSummary], str | None]:
    """Reports newest first, filtered, after an opaque keyset cursor; the next cursor if there is more."""
    filtered = Filters()
    add = filtered.add
    for column in ("channel", "category_code", "status", "external_id"):
        if (value := getattr(filters, column)) is not None:
            add(f"{column} = {{}}", value)
    if filters.area_code:
        area_column = AREA_COLUMN.get(len(filters.area_code))
        if area_column is None:
            raise InvalidInput("an area code has 6, 9, 12 or 15 digits", path="/query/area_code", rule="area-code")
        add(f"{area_column} = {{}}", filters.area_code)
    scope = filters.scope
    if scope.channels is not None:
        add("channel = ANY({})", sorted(scope.channels))
    if scope.unit is not None:
        add("unit_code = {}", scope.unit)
    if scope.areas is not None:
        add("coalesce(grid_code, community_code, street_code, district_code) LIKE ANY({})",
            [area + "%" for area in scope.areas])  # fmt: skip
    if filters.received_from:
        add("received_at >= {}", filters.received_from)
    if filters.received_to:
        add("received_at < {}", filters.received_to)
    if cursor:
        add("(received_at, case_id) < ({}, {})", *decode_cursor(cursor))
    sql = f"{SUMMARY} {filtered.where} ORDER BY received_at DESC, case_id DESC LIMIT {filtered.param(limit + 1)}"
    rows = [summary_of(row) for row in await pool.fetch(sql, *filtered.args)]
    return page(rows, limit, lambda last: encode_cursor(last.received_at, last.case_id))


async def by_numbers(pool: Reader, case_numbers: Sequence[str]) -> list[ReportSummary]:
    """Open311's lookups by `service_request_id`s (our case numbers)."""
    rows = await pool.fetch(f"{SUMMARY} WHERE case_number = ANY($1) ORDER BY received_at DESC", list(case_numbers))
    return [summary_of(row) for row in rows]


async def in_window(
    pool: Reader,
    start: datetime,
    end: datetime,
    category_codes: Sequence[str],
    open_only: bool | None,
    page: int,
    page_size: int,
) -> list[ReportSummary]:
    """Open311's search: received within [start, end], of these categories, open or closed; one page."""
    clauses = ["received_at >= $1", "received_at <= $2"]
    args: list[Any] = [start, end]
    if category_codes:
        args.append(list(category_codes))
        clauses.append(f"category_code = ANY(${len(args)})")
    if open_only is not None:
        args.append(sorted(OPEN_STATUSES))
        clauses.append(f"{'' if open_only else 'NOT '}status = ANY(${len(args)})")
    args += [page_size, (page - 1) * page_size]
    sql = f"{SUMMARY} WHERE {' AND '.join(clauses)} ORDER BY received_at DESC, case_id DESC"
    rows = await pool.fetch(f"{sql} LIMIT ${len(args) - 1} OFFSET ${len(args)}", *args)
    return [summary_of(row) for row in rows]
