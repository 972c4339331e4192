"""巡查督导 The watched grids' last patrol visits (`grid_watches`, sql/008_patrols.sql): all their SQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from casekit.eventstore import Connection
from services.intake.application.patrol_ports import WatchRow

COLUMNS = "grid_code, every, watched_since, last_patrolled_at"
SEED = f"""WITH before AS (SELECT every FROM grid_watches WHERE grid_code = $1)
    INSERT INTO grid_watches (grid_code, every, watched_since) VALUES ($1, $2, $3)
    ON CONFLICT (grid_code) DO UPDATE SET every = excluded.every
    RETURNING {COLUMNS}, (SELECT every FROM before) AS previous_every"""
VISITED = f"""UPDATE grid_watches SET last_patrolled_at = greatest(last_patrolled_at, $2)
    WHERE grid_code = $1 RETURNING {COLUMNS}"""
ONE = f"SELECT {COLUMNS} FROM grid_watches WHERE grid_code = $1"


class SqlGridWatches:
    async def seed(
        self, conn: Connection, grid_code: str, every: timedelta, now: datetime
    ) -> tuple[WatchRow, timedelta | None]:
        row = await conn.fetchrow(SEED, grid_code, every, now)
        assert row is not None  # inserted or updated
        found = dict(row)
        previous: timedelta | None = found.pop("previous_every")
        return WatchRow(**found), previous

    async def visited(self, conn: Connection, grid_code: str, at: datetime) -> WatchRow | None:
        row = await conn.fetchrow(VISITED, grid_code, at)
        return None if row is None else WatchRow(**dict(row))

    async def get(self, conn: Connection, grid_code: str) -> WatchRow | None:
        row = await conn.fetchrow(ONE, grid_code)
        return None if row is None else WatchRow(**dict(row))
