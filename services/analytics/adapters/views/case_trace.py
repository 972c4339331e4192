"""The case trace's table (案件轨迹): its DDL, its writes and its one query; all of its SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from pydantic import BaseModel

from casekit.eventstore import Connection
from casekit.projection import Names, Table
from services.analytics.application.case_trace import TraceRecord

# No projected_at column: a rebuild must produce exactly the rows the live consumer wrote.
TABLE = Table(
    "case_trace",
    """CREATE TABLE {table} (
        event_id         uuid PRIMARY KEY,
        case_id          uuid NOT NULL,
        service          text NOT NULL,
        type             text NOT NULL,
        occurred_at      timestamptz NOT NULL,
        recorded_at      timestamptz NOT NULL,
        actor            text,
        trace_id         text,
        data             jsonb NOT NULL,
        topic            text NOT NULL,
        kafka_partition  integer NOT NULL,
        kafka_offset     bigint NOT NULL
    );
    CREATE INDEX {table}_by_case ON {table} (case_id, occurred_at, event_id);
    CREATE INDEX {table}_merged ON {table} ((data->>'linked_to_case_id')) WHERE type = 'intake.ReportLinked';""",
)

INSERT = """INSERT INTO {table} (event_id, case_id, service, type, occurred_at, recorded_at, actor, trace_id, data,
        topic, kafka_partition, kafka_offset)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
        $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::integer[], $12::bigint[])"""
# Ties on the instant fall back to the event id (UUID v7, so time-ordered too): a stable order.
TRACE = """SELECT event_id, service, type, occurred_at, recorded_at, actor, trace_id, data::text FROM case_trace
    WHERE case_id = $1 AND recorded_at <= $2 ORDER BY occurred_at, event_id"""
MERGED = """SELECT case_id, occurred_at, data::text FROM case_trace
    WHERE type = 'intake.ReportLinked' AND data->>'linked_to_case_id' = $1 AND recorded_at <= $2
    ORDER BY occurred_at, event_id"""
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


class TraceEntry(BaseModel):
    """One event of a case's trace."""

    event_id: UUID
    service: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str | None
    trace_id: str | None
    data: dict[str, Any]


class CaseTraceRows:
    """Writes trace records into one generation of the table, a batch in one statement (casekit Buffered)."""

    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.insert = INSERT.format(table=names[TABLE.name])
        self.pending: list[TraceRecord] = []

    async def add(self, entry: TraceRecord) -> None:
        self.pending.append(entry)

    async def flush(self) -> None:
        entries, self.pending = self.pending, []
        if entries:
            await self.conn.execute(
                self.insert,
                [e.event_id for e in entries],
                [e.case_id for e in entries],
                [e.service for e in entries],
                [e.type for e in entries],
                [e.occurred_at for e in entries],
                [e.recorded_at for e in entries],
                [e.actor for e in entries],
                [e.trace_id for e in entries],
                [orjson.dumps(e.data).decode() for e in entries],
                [e.topic for e in entries],
                [e.partition for e in entries],
                [e.offset for e in entries],
            )


async def case_trace(db: asyncpg.Pool | Connection, case_id: UUID, as_of: datetime | None = None) -> list[TraceEntry]:
    """Everything that happened to a case, in every service, in order, as recorded by `as_of`; empty if nothing."""
    rows = await db.fetch(TRACE, case_id, as_of or FOREVER)
    return [
        TraceEntry(
            event_id=r[0],
            service=r[1],
            type=r[2],
            occurred_at=r[3],
            recorded_at=r[4],
            actor=r[5],
            trace_id=r[6],
            data=orjson.loads(r[7]),
        )
        for r in rows
    ]


async def merged_reports(
    db: asyncpg.Pool | Connection, case_id: UUID, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """并单: the reports linked to this case as duplicates, each with its own id, channel and instant."""
    rows = await db.fetch(MERGED, str(case_id), as_of or FOREVER)
    return [{"report_id": r[0], "received_at": r[1], **_merged_summary(orjson.loads(r[2]))} for r in rows]


def _merged_summary(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data.get(key) for key in ("case_number", "channel", "category_code", "distance_m", "external_id")}
