"""巡查's tables: patrols, their visits per grid and city day, grid and hotline reports, overdue flags.

Each row carries `recorded_at` (when Intake recorded its event), so every read can stop at `as_of`.
Writes are idempotent: a redelivered or rebuilt event leaves the same rows.
"""

from __future__ import annotations

from casekit.eventstore import Connection
from casekit.projection import Names, Table
from services.analytics.application.patrols import FinishRecord, FlagRecord, GridReport, PatrolRecord

PATROLS = Table(
    "patrols",
    """CREATE TABLE {table} (
        patrol_id       uuid PRIMARY KEY,
        officer         text NOT NULL,
        team            text[] NOT NULL DEFAULT '{}',
        unit_code       text,
        brigade_code    text,
        assigned_grids  text[] NOT NULL DEFAULT '{}',
        patrol_day      boolean NOT NULL DEFAULT false,
        started_at      timestamptz NOT NULL,
        finished_at     timestamptz,
        seconds         double precision,
        metres          double precision,
        recorded_at     timestamptz NOT NULL
    );
    CREATE INDEX {table}_by_officer ON {table} (officer, started_at);""",
)
VISITS = Table(
    "patrol_visits",
    """CREATE TABLE {table} (
        patrol_id    uuid NOT NULL,
        day          date NOT NULL,
        grid_code    text NOT NULL,
        officer      text NOT NULL,
        seconds      double precision NOT NULL,
        metres       double precision NOT NULL,
        points       integer NOT NULL,
        first_at     timestamptz NOT NULL,
        last_at      timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL,
        PRIMARY KEY (patrol_id, day, grid_code)
    );
    CREATE INDEX {table}_by_day ON {table} (day, grid_code);
    CREATE INDEX {table}_by_grid ON {table} (grid_code, last_at);""",
)
REPORTS = Table(
    "patrol_reports",
    """CREATE TABLE {table} (
        case_id        uuid PRIMARY KEY,
        case_number    text,
        channel        text NOT NULL,
        category_code  text NOT NULL,
        grid_code      text,
        reporter       text,
        patrol_id      uuid,
        finding        text,
        received_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL
    );
    CREATE INDEX {table}_by_time ON {table} (received_at);""",
)
FLAGS = Table(
    "grid_flags",
    """CREATE TABLE {table} (
        event_id           uuid PRIMARY KEY,
        grid_code          text NOT NULL,
        last_patrolled_at  timestamptz,
        due_at             timestamptz NOT NULL,
        flagged_at         timestamptz NOT NULL,
        recorded_at        timestamptz NOT NULL
    );
    CREATE INDEX {table}_by_grid ON {table} (grid_code, flagged_at);""",
)
TABLES = (PATROLS, VISITS, REPORTS, FLAGS)

START = """INSERT INTO {table} (patrol_id, officer, team, unit_code, brigade_code, assigned_grids, patrol_day,
        started_at, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (patrol_id) DO UPDATE SET officer = excluded.officer, team = excluded.team,
        unit_code = excluded.unit_code, brigade_code = excluded.brigade_code,
        assigned_grids = excluded.assigned_grids, patrol_day = excluded.patrol_day,
        started_at = excluded.started_at, recorded_at = excluded.recorded_at"""
# A finish seen before its start (it never is on one partition, but a rebuild must not depend on it)
# leaves a row the start completes; the start's recorded_at is what `as_of` reads a patrol by.
FINISH = """INSERT INTO {table} (patrol_id, officer, started_at, finished_at, seconds, metres, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (patrol_id) DO UPDATE SET finished_at = excluded.finished_at, seconds = excluded.seconds,
        metres = excluded.metres"""
DROP_VISITS = "DELETE FROM {table} WHERE patrol_id = $1"
ADD_VISITS = """INSERT INTO {table} (patrol_id, day, grid_code, officer, seconds, metres, points, first_at, last_at,
        recorded_at)
    SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::int[],
        $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
    ON CONFLICT DO NOTHING"""
REPORT = """INSERT INTO {table} (case_id, case_number, channel, category_code, grid_code, reporter, patrol_id, finding,
        received_at, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING"""
FLAG = """INSERT INTO {table} (event_id, grid_code, last_patrolled_at, due_at, flagged_at, recorded_at)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"""


class PatrolTableRows:
    """Writes the patrol read model's rows into one generation, a statement per event."""

    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.patrols, self.visits = names[PATROLS.name], names[VISITS.name]
        self.reports, self.flags = names[REPORTS.name], names[FLAGS.name]

    async def started(self, patrol: PatrolRecord) -> None:
        p = patrol
        await self.conn.execute(
            START.format(table=self.patrols),
            p.patrol_id, p.officer, p.team, p.unit_code, p.brigade_code, p.assigned_grids, p.patrol_day,
            p.started_at, p.recorded_at,
        )  # fmt: skip

    async def finished(self, finish: FinishRecord) -> None:
        f, visits = finish, finish.visits
        await self.conn.execute(
            FINISH.format(table=self.patrols),
            f.patrol_id, f.officer, f.started_at, f.finished_at, f.seconds, f.metres, f.recorded_at,
        )  # fmt: skip
        await self.conn.execute(DROP_VISITS.format(table=self.visits), f.patrol_id)
        await self.conn.execute(
            ADD_VISITS.format(table=self.visits),
            [v.patrol_id for v in visits], [v.day for v in visits], [v.grid_code for v in visits],
            [v.officer for v in visits], [v.seconds for v in visits], [v.metres for v in visits],
            [v.points for v in visits], [v.first_at for v in visits], [v.last_at for v in visits],
            [v.recorded_at for v in visits],
        )  # fmt: skip

    async def reported(self, report: GridReport) -> None:
        r = report
        await self.conn.execute(
            REPORT.format(table=self.reports),
            r.case_id, r.case_number, r.channel, r.category_code, r.grid_code, r.reporter, r.patrol_id, r.finding,
            r.received_at, r.recorded_at,
        )  # fmt: skip

    async def flagged(self, flag: FlagRecord) -> None:
        f = flag
        await self.conn.execute(
            FLAG.format(table=self.flags),
            f.event_id, f.grid_code, f.last_patrolled_at, f.due_at, f.flagged_at, f.recorded_at,
        )  # fmt: skip
