"""Reports per channel: the table behind the counts, its writes and its one query; all of its SQL."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from pydantic import BaseModel

from casekit.eventstore import Connection
from casekit.projection import Names, Table
from services.analytics.application.report_counts import ChannelReport

# One row per report rather than counters: any window (since, until) counts exactly.
TABLE = Table(
    "report_counts",
    """CREATE TABLE {table} (
        event_id     uuid PRIMARY KEY,
        case_id      uuid NOT NULL,
        channel      text NOT NULL,
        merged       boolean NOT NULL,
        occurred_at  timestamptz NOT NULL
    );
    CREATE INDEX {table}_by_time ON {table} (occurred_at);""",
)

INSERT = """INSERT INTO {table} (event_id, case_id, channel, merged, occurred_at)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], $5::timestamptz[])"""
COUNTS = """SELECT channel, count(*) FILTER (WHERE NOT merged), count(*) FILTER (WHERE merged)
    FROM report_counts WHERE occurred_at >= $1 AND occurred_at < $2
    GROUP BY channel ORDER BY channel"""


class ChannelCount(BaseModel):
    """Reports per channel: those that opened a case, and those merged into one (并单)."""

    channel: str
    opened: int
    merged: int


class ReportCountRows:
    """Writes counted reports into one generation of the table, a batch in one statement (casekit Buffered)."""

    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.insert = INSERT.format(table=names[TABLE.name])
        self.pending: list[ChannelReport] = []

    async def add(self, report: ChannelReport) -> None:
        self.pending.append(report)

    async def flush(self) -> None:
        reports, self.pending = self.pending, []
        if reports:
            await self.conn.execute(
                self.insert,
                [r.event_id for r in reports],
                [r.case_id for r in reports],
                [r.channel for r in reports],
                [r.merged for r in reports],
                [r.occurred_at for r in reports],
            )


async def counts_per_channel(db: asyncpg.Pool | Connection, since: datetime, until: datetime) -> list[ChannelCount]:
    """Reports that happened in [since, until), per channel."""
    rows = await db.fetch(COUNTS, since, until)
    return [ChannelCount(channel=r[0], opened=r[1], merged=r[2]) for r in rows]
