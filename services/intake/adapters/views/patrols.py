"""巡查 The patrols read model, and the findings an officer filed: all their SQL, returning dataclasses.

`patrols` is written with each patrol's events in one transaction (application/patrols.py);
`days` lists the city days its visits fall on (or the day it started, before it has any), so a
work log finds a patrol across midnight on both days. The findings are the `reports` rows a
grid report wrote with its patrol columns (sql/008_patrols.sql).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from casekit.eventstore import Connection
from schemas.patrol import GridVisit
from services.intake.application.patrol_ports import FindingRow, PatrolRow
from services.intake.domain.patrol import Patrol

UPSERT = """INSERT INTO patrols AS p (patrol_id, officer, team, unit_code, brigade_code, assigned_grids, patrol_day,
        status, started_at, finished_at, points, seconds, metres, visits, days, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16)
    ON CONFLICT (patrol_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at,
        points = excluded.points, seconds = excluded.seconds, metres = excluded.metres, visits = excluded.visits,
        days = excluded.days, updated_at = excluded.updated_at"""
COLUMNS = """patrol_id, officer, team, unit_code, brigade_code, assigned_grids, patrol_day, status, started_at,
    finished_at, points, seconds, metres, visits::text AS visits, updated_at"""
ONE = f"SELECT {COLUMNS} FROM patrols WHERE patrol_id = $1"
FINISHED_ON = f"""SELECT {COLUMNS} FROM patrols
    WHERE officer = $1 AND status = 'finished' AND $2::date = ANY(days) ORDER BY started_at, patrol_id"""
FINDINGS = """SELECT case_id, case_number, category_code, received_at, grid_code, patrol_id, finding FROM reports
    WHERE reported_by = $1 AND finding IS NOT NULL AND received_at >= $2 AND received_at < $3
    ORDER BY received_at, case_id"""


class SqlPatrols:
    async def save(self, conn: Connection, patrol_id: UUID, state: Patrol, days: Sequence[date], at: datetime) -> None:
        assert state.officer is not None
        assert state.unit_code is not None
        assert state.started_at is not None
        visits = orjson.dumps([visit.model_dump(mode="json") for visit in state.visits]).decode()
        await conn.execute(
            UPSERT, patrol_id, state.officer, list(state.team), state.unit_code, state.brigade_code,
            list(state.assigned_grids), state.patrol_day, state.status, state.started_at, state.finished_at,
            len(state.points), state.seconds, state.metres, visits, list(days), at,
        )  # fmt: skip

    async def get(self, conn: Connection, patrol_id: UUID) -> PatrolRow | None:
        row = await conn.fetchrow(ONE, patrol_id)
        return None if row is None else _patrol(row)

    async def finished_on(self, conn: Connection, officer: str, day: date) -> Sequence[PatrolRow]:
        return [_patrol(row) for row in await conn.fetch(FINISHED_ON, officer, day)]

    async def findings_of(
        self, conn: Connection, reporter: str, since: datetime, until: datetime
    ) -> Sequence[FindingRow]:
        return [FindingRow(**dict(row)) for row in await conn.fetch(FINDINGS, reporter, since, until)]


def _patrol(row: asyncpg.Record) -> PatrolRow:
    fields: dict[str, Any] = dict(row)
    fields["visits"] = [GridVisit.model_validate(visit) for visit in orjson.loads(fields["visits"])]
    return PatrolRow(**fields)
