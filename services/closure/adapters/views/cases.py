"""The read model of cases in Closure (结案台账): ALL of its SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from casekit.eventstore import Connection
from casekit.sql_filters import Filters, decode_cursor, encode_cursor, page
from services.closure.application.ports import CaseFilter, CaseRow
from services.closure.domain.closure import CaseClosure

COLUMNS = """case_id, case_number, status, unit_code, unit_name, category_code, area_code, self_disposed, next_stage,
    next_due_at, overdue, escalated, rework_count, reopen_count, closure_kind, callback_result, opened_at, updated_at,
    work_order_no, reply_due_at, reply_outcome, replied_at, urge_count, last_urge_kind, last_urged_at"""

SAVE = "SELECT closure_save_case($1::jsonb)"
"""sql/003_timer_fired.sql: one upsert by column name, for commands and for the timers' one-statement write."""


def row_of(record: asyncpg.Record) -> CaseRow:
    return CaseRow(**{key: record[key] for key in record.keys()})  # noqa: SIM118 - a Record is no dict


def row_json(case_id: UUID, state: CaseClosure, at: datetime) -> dict[str, Any] | None:
    """The case's row by column name (None before it is opened), as `closure_save_case` takes it."""
    if state.opened_at is None:
        return None
    running = sorted(state.running().values(), key=lambda d: d.due_at)
    first = running[0] if running else None
    return {
        "case_id": str(case_id),  # by its text: an id read back from asyncpg is a UUID class orjson does not know
        "case_number": state.case_number, "status": state.status, "unit_code": state.unit_code,
        "unit_name": state.unit_name, "category_code": state.category_code, "area_code": state.area_code,
        "self_disposed": state.self_disposed, "next_stage": first.stage if first else None,
        "next_due_at": first.due_at if first else None, "overdue": sorted(state.overdue),
        "escalated": sorted(state.escalated), "rework_count": state.rework_count, "reopen_count": state.reopen_count,
        "closure_kind": state.closure_kind, "callback_result": state.callback_result, "opened_at": state.opened_at,
        "updated_at": at, "work_order_no": state.work_order_no, "reply_due_at": state.reply_due_at,
        "reply_outcome": state.reply_outcome, "replied_at": state.replied_at, "urge_count": len(state.notice_nos),
        "last_urge_kind": state.last_urge_kind, "last_urged_at": state.last_urged_at,
    }  # fmt: skip


class SqlCases:
    """The port `Cases` on PostgreSQL."""

    async def save(self, conn: Connection, case_id: UUID, state: CaseClosure, at: datetime) -> None:
        row = row_json(case_id, state, at)
        if row is not None:
            await conn.execute(SAVE, orjson.dumps(row).decode())

    async def get(self, conn: Connection, case_id: UUID) -> CaseRow | None:
        record = await conn.fetchrow(f"SELECT {COLUMNS} FROM closure_cases WHERE case_id = $1", case_id)
        return row_of(record) if record else None

    async def search(
        self, conn: Connection, filters: CaseFilter, cursor: str | None, limit: int
    ) -> tuple[list[CaseRow], str | None]:
        """Cases newest first, filtered and scoped, after an opaque keyset cursor."""
        where = Filters()
        if filters.status is not None:
            where.add("status = {}", filters.status)
        for unit in (filters.unit, filters.scope.unit):
            if unit is not None:
                where.add("unit_code = {}", unit)
        if filters.area_code:
            where.add("area_code LIKE {}", filters.area_code + "%")
        if filters.overdue is True:
            where.add("cardinality(overdue) > 0 AND next_due_at IS NOT NULL")
        elif filters.overdue is False:
            where.add("cardinality(overdue) = 0")
        if filters.due_before is not None:
            where.add("next_due_at < {}", filters.due_before)
        if filters.scope.nothing:
            where.add("false")
        if filters.scope.areas is not None:
            where.add("area_code LIKE ANY({})", [area + "%" for area in filters.scope.areas])
        if cursor:
            where.add("(opened_at, case_id) < ({}, {})", *decode_cursor(cursor))
        sql = (f"SELECT {COLUMNS} FROM closure_cases {where.where} ORDER BY opened_at DESC, case_id DESC "
               f"LIMIT {where.param(limit + 1)}")  # fmt: skip
        rows = [row_of(record) for record in await conn.fetch(sql, *where.args)]
        return page(rows, limit, lambda last: encode_cursor(last.opened_at, last.case_id))
