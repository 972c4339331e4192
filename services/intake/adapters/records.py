"""Intake's SQL beside the event store: idempotency keys, case numbers, contacts, the reports view."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from casekit.eventstore import Connection
from schemas.intake import ReportLinked, ReportReceived
from services.intake.application.ports import Reader
from services.intake.domain.duplicates import OpenCase

RESERVE_BLOCK = """INSERT INTO case_number_counters (prefix, day, last) VALUES ($1, $2, $3)
    ON CONFLICT (prefix, day) DO UPDATE SET last = case_number_counters.last + $3 RETURNING last"""
BLOCK = 50
NEARBY = """SELECT case_id, category_code, lat, lon, received_at FROM reports
    WHERE open AND linked_to IS NULL AND category_code = $1 AND received_at >= $2
      AND lat BETWEEN $3 AND $4 AND lon BETWEEN $5 AND $6"""
RECORD = "SELECT * FROM record_submission($1, $2, $3, $4, $5, $6::jsonb[], $7, $8, $9, $10, $11, $12, $13, $14, $15)"
STATUS_CHANGE = "INSERT INTO status_changes (case_id, status, note, unit_name) VALUES ($1, $2, $3, $4)"
SUMMARY = """SELECT case_id, case_number, channel, category_code, description, lat, lon, address, grid_code,
    community_code, street_code, district_code, external_id, photo_urls, needs_confirmation, received_at,
    linked_to, status, status_note, unit_code, unit_name, expected_at, updated_at FROM reports"""


def report_row(event: ReportReceived | ReportLinked, description: str) -> dict[str, Any]:
    """The public view of a newly submitted report: every column of `reports`."""
    received = event if isinstance(event, ReportReceived) else None
    place, location = (received.place, received.location) if received else (None, None)
    linked = event.linked_to_case_id if isinstance(event, ReportLinked) else None
    return {
        "case_id": str(event.case_id),
        "case_number": event.case_number,
        "channel": event.channel,
        "category_code": event.category_code,
        "description": description,
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "address": received.address if received else None,
        "grid_code": place.grid_code if place else None,
        "community_code": place.community_code if place else None,
        "street_code": place.street_code if place else None,
        "district_code": place.district_code if place else None,
        "external_id": event.external_id,
        "photo_urls": received.photo_urls if received else [],
        "needs_confirmation": received.needs_confirmation if received else False,
        "received_at": event.received_at.isoformat(),
        "linked_to": str(linked) if linked else None,
        "status": "received",
        "status_note": f"已并入案件 {linked}" if linked else None,
        "unit_code": None,
        "unit_name": None,
        "expected_at": received.source_deadline_at.isoformat() if received and received.source_deadline_at else None,
        "updated_at": event.received_at.isoformat(),
        "open": True,
    }


class SqlReportRecords:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._blocks: dict[tuple[str, date], tuple[int, int]] = {}
        self._block_lock = asyncio.Lock()

    async def case_for_keys(self, conn: Reader, keys: Sequence[str]) -> UUID | None:
        if not keys:
            return None
        found: UUID | None = await conn.fetchval(
            "SELECT case_id FROM report_keys WHERE key = ANY($1) LIMIT 1", list(keys)
        )
        return found

    async def next_sequence(self, prefix: str, day: date, conn: Connection | None) -> int:
        # Each process reserves a block of numbers in one short transaction of its own and hands
        # them out from memory: one counter commit per BLOCK reports instead of per report.
        # Replicas interleave, restarts and failed submits leave gaps; no number repeats.
        async with self._block_lock:
            next_number, last = self._blocks.get((prefix, day), (1, 0))
            if next_number > last:
                last = int(await (conn or self.pool).fetchval(RESERVE_BLOCK, prefix, day, BLOCK))
                next_number = last - BLOCK + 1
            self._blocks[(prefix, day)] = (next_number + 1, last)
            return next_number

    async def open_cases_near(
        self, conn: Reader, category_code: str, lat: float, lon: float, box: tuple[float, float], since: datetime
    ) -> list[OpenCase]:
        dlat, dlon = box
        rows = await conn.fetch(NEARBY, category_code, since, lat - dlat, lat + dlat, lon - dlon, lon + dlon)
        return [OpenCase(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def record_submission(
        self, conn: Connection, append: tuple[Any, ...], keys: Sequence[str], contact: tuple[str, bytes] | None,
        event: ReportReceived | ReportLinked, description: str,
    ) -> dict[str, Any]:  # fmt: skip
        key_id, sealed = contact or (None, None)
        row = report_row(event, description)
        stream_id, _, *rest = append
        record = await conn.fetchrow(RECORD, stream_id, *rest, list(keys), key_id, sealed, orjson.dumps(row).decode())
        assert record is not None
        return dict(record)

    async def case_by_number(self, conn: Connection, case_number: str) -> UUID | None:
        found: UUID | None = await conn.fetchval("SELECT case_id FROM reports WHERE case_number = $1", case_number)
        return found

    async def summary(self, conn: Connection, case_id: UUID) -> dict[str, Any] | None:
        row = await conn.fetchrow(f"{SUMMARY} WHERE case_id = $1", case_id)
        return dict(row) if row else None


UPDATE_STATUS = """UPDATE reports SET status = $2, status_note = $3, unit_code = coalesce($4, unit_code),
        unit_name = coalesce($5, unit_name), open = $6, updated_at = now()
    WHERE case_id = $1 OR linked_to = $1 RETURNING case_id"""


async def apply_status(conn: Connection, case_id: UUID, status: str, note: str, unit_code: str | None,
                       unit_name: str | None, still_open: bool) -> list[UUID]:  # fmt: skip
    """Set a case's public status, and that of every report merged into it; log each change."""
    changed = [
        row[0] for row in await conn.fetch(UPDATE_STATUS, case_id, status, note, unit_code, unit_name, still_open)
    ]
    await conn.executemany(STATUS_CHANGE, [(changed_id, status, note, unit_name) for changed_id in changed])
    return changed
