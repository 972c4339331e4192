"""Case numbers in Closure (案件编号, and a 12345 work order's 工单编号): ALL of the SQL of `closure_case_numbers`."""

from __future__ import annotations

from uuid import UUID

from casekit.eventstore import Connection

NOTE = """INSERT INTO closure_case_numbers (case_id, case_number, work_order_no) VALUES ($1, $2, $3)
    ON CONFLICT (case_id) DO UPDATE SET
        case_number = coalesce(closure_case_numbers.case_number, excluded.case_number),
        work_order_no = coalesce(closure_case_numbers.work_order_no, excluded.work_order_no)"""
NUMBER_OF = "SELECT case_number FROM closure_case_numbers WHERE case_id = $1"
NUMBERS_OF = "SELECT case_number, work_order_no FROM closure_case_numbers WHERE case_id = $1"
CASE_OF = "SELECT case_id FROM closure_case_numbers WHERE case_number = $1 ORDER BY case_id LIMIT 1"


class SqlCaseNumbers:
    """The port `CaseNumbers` on PostgreSQL: each number is written once, the first time it is told."""

    async def note(
        self, conn: Connection, case_id: UUID, case_number: str | None, work_order_no: str | None = None
    ) -> None:
        await conn.execute(NOTE, case_id, case_number, work_order_no)

    async def numbers_of(self, conn: Connection, case_id: UUID) -> tuple[str | None, str | None]:
        record = await conn.fetchrow(NUMBERS_OF, case_id)
        return (record["case_number"], record["work_order_no"]) if record else (None, None)

    async def number_of(self, conn: Connection, case_id: UUID) -> str | None:
        found: str | None = await conn.fetchval(NUMBER_OF, case_id)
        return found

    async def case_of(self, conn: Connection, case_number: str) -> UUID | None:
        found: UUID | None = await conn.fetchval(CASE_OF, case_number)
        return found
