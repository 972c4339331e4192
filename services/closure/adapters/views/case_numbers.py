"""Case numbers in Closure (案件编号): ALL of the SQL of `closure_case_numbers`."""

from __future__ import annotations

from uuid import UUID

from casekit.eventstore import Connection

NOTE = """INSERT INTO closure_case_numbers (case_id, case_number) VALUES ($1, $2)
    ON CONFLICT (case_id) DO NOTHING"""
NUMBER_OF = "SELECT case_number FROM closure_case_numbers WHERE case_id = $1"
CASE_OF = "SELECT case_id FROM closure_case_numbers WHERE case_number = $1 ORDER BY case_id LIMIT 1"


class SqlCaseNumbers:
    """The port `CaseNumbers` on PostgreSQL: a case's number is written once, the first time it is told."""

    async def note(self, conn: Connection, case_id: UUID, case_number: str) -> None:
        await conn.execute(NOTE, case_id, case_number)

    async def number_of(self, conn: Connection, case_id: UUID) -> str | None:
        found: str | None = await conn.fetchval(NUMBER_OF, case_id)
        return found

    async def case_of(self, conn: Connection, case_number: str) -> UUID | None:
        found: UUID | None = await conn.fetchval(CASE_OF, case_number)
        return found
