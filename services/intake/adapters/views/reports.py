"""The public view of each case (公开状态): tables `reports` and `status_changes`, all their SQL.

Written when a report is recorded (adapters/submissions.py calls `record_submission`, whose SQL
fills the first row) and when Dispatch's and Closure's events change what the public is told;
read by the native API, Open311 and the duplicate check. Returns `ReportSummary` rows.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from casekit.errors import InvalidInput
from casekit.eventstore import Connection
from services.intake.application.ports import ReportSummary
from services.intake.domain.duplicates import OpenCase
from services.intake.domain.public_status import OPEN_STATUSES, StatusChange

Reader = Connection | asyncpg.Pool
SUMMARY = "SELECT * FROM report_summaries"
NEARBY = """SELECT case_id, category_code, lat, lon, received_at FROM reports
    WHERE open AND linked_to IS NULL AND category_code = $1 AND received_at >= $2
      AND lat BETWEEN $3 AND $4 AND lon BETWEEN $5 AND $6"""
# The open case's row first: it waits for (and then blocks) a merge in flight, whose FOR SHARE
# on this row makes it copy the status; the merged rows then, in a statement of their own,
# so that one committed meanwhile is seen (sql/004).
UPDATE_CASE = """UPDATE reports SET status = $2, status_note = $3, unit_code = coalesce($4, unit_code),
        unit_name = coalesce($5, unit_name), open = $6, updated_at = now()
    WHERE case_id = $1 RETURNING case_id"""
UPDATE_MERGED = UPDATE_CASE.replace("WHERE case_id = $1", "WHERE linked_to = $1")
STATUS_CHANGE = "INSERT INTO status_changes (case_id, status, note, unit_name) VALUES ($1, $2, $3, $4)"
AREA_COLUMN = {6: "district_code", 9: "street_code", 12: "community_code", 15: "grid_code"}


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


async def apply_change(conn: Connection, case_id: UUID, change: StatusChange) -> list[UUID]:
    """Set a case's public status and that of every report merged into it; log each change."""
    args = (case_id, change.status, change.note, change.unit_code, change.unit_name, change.status in OPEN_STATUSES)
    changed = [row[0] for row in await conn.fetch(UPDATE_CASE, *args)]
    changed += [row[0] for row in await conn.fetch(UPDATE_MERGED, *args)]
    await conn.executemany(STATUS_CHANGE, [(one, change.status, change.note, change.unit_name) for one in changed])
    return changed


class SqlReports:
    """The `PublicReports` port of Intake's use cases."""

    summary = staticmethod(summary)
    case_by_number = staticmethod(case_by_number)
    open_cases_near = staticmethod(open_cases_near)
    apply_change = staticmethod(apply_change)


@dataclass(frozen=True)
class ReportFilter:
    channel: str | None = None
    category_code: str | None = None
    status: str | None = None
    area_code: str | None = None
    external_id: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


def encode_cursor(received_at: datetime, case_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(at), UUID(case_id)
    except ValueError:
        raise InvalidInput("not a cursor this API gave out", path="/query/cursor", rule="cursor") from None


async def search(
    pool: asyncpg.Pool, filters: ReportFilter, cursor: str | None, limit: int
) -> tuple[list[ReportSummary], str | None]:
    """Reports newest first, filtered, after an opaque keyset cursor; the next cursor if there is more."""
    where: list[str] = []
    args: list[Any] = []

    def add(clause: str, value: Any) -> None:
        args.append(value)
        where.append(clause.format(f"${len(args)}"))

    for column in ("channel", "category_code", "status", "external_id"):
        if (value := getattr(filters, column)) is not None:
            add(f"{column} = {{}}", value)
    if filters.area_code:
        area_column = AREA_COLUMN.get(len(filters.area_code))
        if area_column is None:
            raise InvalidInput("an area code has 6, 9, 12 or 15 digits", path="/query/area_code", rule="area-code")
        add(f"{area_column} = {{}}", filters.area_code)
    if filters.received_from:
        add("received_at >= {}", filters.received_from)
    if filters.received_to:
        add("received_at < {}", filters.received_to)
    if cursor:
        at, case_id = decode_cursor(cursor)
        args.extend([at, case_id])
        where.append(f"(received_at, case_id) < (${len(args) - 1}, ${len(args)})")
    args.append(limit + 1)
    sql = f"{SUMMARY} {'WHERE ' + ' AND '.join(where) if where else ''} "
    sql += f"ORDER BY received_at DESC, case_id DESC LIMIT ${len(args)}"
    rows = [summary_of(row) for row in await pool.fetch(sql, *args)]
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.received_at, last.case_id)


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
