"""Searching the reports view with filters and an opaque keyset cursor."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from casekit.errors import Undecodable
from services.intake.adapters.records import SUMMARY


@dataclass(frozen=True)
class ReportFilter:
    channel: str | None = None
    category_code: str | None = None
    status: str | None = None
    area_code: str | None = None
    external_id: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


AREA_COLUMN = {6: "district_code", 9: "street_code", 12: "community_code", 15: "grid_code"}


def encode_cursor(received_at: datetime, case_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(at), UUID(case_id)
    except ValueError:
        raise Undecodable("not a cursor this API gave out", path="/query/cursor", rule="cursor") from None


async def list_reports(
    pool: asyncpg.Pool, filters: ReportFilter, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
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
            raise Undecodable("an area code has 6, 9, 12 or 15 digits", path="/query/area_code", rule="area-code")
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
    rows = [dict(row) for row in await pool.fetch(sql, *args)]
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last["received_at"], last["case_id"])
