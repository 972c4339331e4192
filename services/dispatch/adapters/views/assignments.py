"""The read model of cases in Dispatch (派遣台账): ALL of its SQL."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from casekit.eventstore import Connection
from casekit.sql_filters import Filters, decode_cursor, encode_cursor, page
from services.dispatch.application.ports import AssignmentFilter, AssignmentRow
from services.dispatch.domain.assignment import Assignment

COLUMNS = """case_id, case_number, status, channel, category_code, urgency, area_code, lead_unit, lead_name,
    assisting, signed, returns, owner_final, pending_extension, pending_park, parked, sign_for_due_at,
    confirmation_due_at, opened_at, updated_at, work_order_no, reply_due_at, pending_return"""

SAVE = f"""INSERT INTO assignments ({COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
            $23)
    ON CONFLICT (case_id) DO UPDATE SET
        status = excluded.status, area_code = excluded.area_code, lead_unit = excluded.lead_unit,
        lead_name = excluded.lead_name,
        assisting = excluded.assisting, signed = excluded.signed, returns = excluded.returns,
        owner_final = excluded.owner_final, pending_extension = excluded.pending_extension,
        pending_park = excluded.pending_park, parked = excluded.parked, sign_for_due_at = excluded.sign_for_due_at,
        confirmation_due_at = excluded.confirmation_due_at, updated_at = excluded.updated_at,
        reply_due_at = excluded.reply_due_at, pending_return = excluded.pending_return"""


def row_of(record: asyncpg.Record) -> AssignmentRow:
    return AssignmentRow(**{key: record[key] for key in record.keys()})  # noqa: SIM118 - a Record is no dict


class SqlAssignments:
    """The port `Assignments` on PostgreSQL."""

    async def save(self, conn: Connection, case_id: UUID, state: Assignment, at: datetime) -> None:
        opened = state.opened
        if opened is None:
            return
        await conn.execute(
            SAVE, case_id, opened.case_number, state.status, opened.channel, opened.category_code, opened.urgency,
            state.area_code, state.lead, state.lead_name, list(state.assisting), sorted(state.signed), state.returns,
            state.owner_final, state.pending_extension, state.pending_park, state.parked, state.sign_for_due_at,
            state.confirmation_due_at, opened.opened_at, at, opened.work_order_no, opened.reply_due_at,
            state.pending_return.reason if state.pending_return else None,
        )  # fmt: skip

    async def get(self, conn: Connection, case_id: UUID) -> AssignmentRow | None:
        record = await conn.fetchrow(f"SELECT {COLUMNS} FROM assignments WHERE case_id = $1", case_id)
        return row_of(record) if record else None

    async def search(
        self, conn: Connection, filters: AssignmentFilter, cursor: str | None, limit: int
    ) -> tuple[list[AssignmentRow], str | None]:
        """Cases newest first, filtered and scoped, after an opaque keyset cursor."""
        where = Filters()
        for column in ("status", "category_code"):
            if (value := getattr(filters, column)) is not None:
                where.add(f"{column} = {{}}", value)
        for unit in (filters.unit, filters.scope.unit):
            if unit is not None:
                where.add("(lead_unit = {} OR {} = ANY(assisting))", unit, unit)
        if filters.area_code:
            where.add("area_code LIKE {}", filters.area_code + "%")
        if filters.scope.nothing:
            where.add("false")
        if filters.scope.areas is not None:
            where.add("area_code LIKE ANY({})", [area + "%" for area in filters.scope.areas])
        if filters.opened_from:
            where.add("opened_at >= {}", filters.opened_from)
        if filters.opened_to:
            where.add("opened_at < {}", filters.opened_to)
        if cursor:
            where.add("(opened_at, case_id) < ({}, {})", *decode_cursor(cursor))
        sql = (f"SELECT {COLUMNS} FROM assignments {where.where} ORDER BY opened_at DESC, case_id DESC "
               f"LIMIT {where.param(limit + 1)}")  # fmt: skip
        rows = [row_of(record) for record in await conn.fetch(sql, *where.args)]
        return page(rows, limit, lambda last: encode_cursor(last.opened_at, last.case_id))
