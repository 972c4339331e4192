"""Intake's write-side tables beside the event store: idempotency keys, case-number counters,
sealed contacts, and the one call that records a submission (ADR 0006)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

import asyncpg
import orjson

from casekit.eventstore import Connection, EventStore
from casekit.writes import NewEvents, append_with
from services.intake.application.ports import IdempotencyKey, KeyedCase, KeyTaken, ReportSummary, Sealed

RESERVE_BLOCK = """INSERT INTO case_number_counters (prefix, day, last) VALUES ($1, $2, $3)
    ON CONFLICT (prefix, day) DO UPDATE SET last = case_number_counters.last + $3 RETURNING last"""
BLOCK = 50
KEYS = "SELECT case_id, fingerprint, key FROM report_keys WHERE key = ANY($1)"
RECORD = "SELECT record_submission($1, $2, $3, $4, $5, $6, $7::jsonb)"


class SqlSubmissions:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._blocks: dict[tuple[str, date], tuple[int, int]] = {}
        self._block_lock = asyncio.Lock()

    async def cases_for_keys(self, conn: Connection, keys: Sequence[IdempotencyKey]) -> list[KeyedCase]:
        if not keys:
            return []
        rows = await conn.fetch(KEYS, [key.key for key in keys])
        return [KeyedCase(row[0], row[1], row[2]) for row in rows]

    async def next_sequence(self, prefix: str, day: date, conn: Connection | None) -> int:
        # Each process reserves a block of numbers in one short transaction of its own and hands
        # them out from memory: one counter commit per BLOCK reports instead of per report.
        # Replicas interleave, restarts and failed submits leave gaps; no number repeats.
        async with self._block_lock:
            next_number, last = self._blocks.get((prefix, day), (1, 0))
            if next_number > last:
                last = int(await (conn or self.store.pool).fetchval(RESERVE_BLOCK, prefix, day, BLOCK))
                next_number = last - BLOCK + 1
            self._blocks[(prefix, day)] = (next_number + 1, last)
            return next_number

    async def record(
        self,
        conn: Connection,
        new: NewEvents,
        keys: Sequence[IdempotencyKey],
        sealed: Sealed,
        report: ReportSummary,
    ) -> None:
        row = orjson.dumps(report, default=str).decode()  # orjson writes dataclasses itself
        key_names, fingerprints = [k.key for k in keys], [k.fingerprint for k in keys]
        try:
            await append_with(
                self.store, conn, new, RECORD, key_names, fingerprints, sealed.key_id, sealed.contact, sealed.text, row
            )
        except asyncpg.UniqueViolationError as error:
            raise KeyTaken(str(error)) from error
