"""The event store on PostgreSQL: append with an expected version, read a stream, read all.

Reading all is gap-free without serialising writers: see ADR 0002.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import pydantic_core
from opentelemetry import trace
from uuid_utils import uuid7 as fast_id  # v7 as `new_id`, without the copy into uuid.UUID (asyncpg takes .bytes)

from casekit.envelope import EventMeta, Position, RecordedEvent, new_id
from casekit.errors import AppendOrderError, ConcurrencyError
from casekit.eventtypes import EventTypes
from casekit.metrics import Metrics
from schemas.base import Event

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
tracer = trace.get_tracer("casekit.eventstore")
START = Position()

# Instants as integer microseconds: decoding datetimes dominated catch-up reads (RecordedEvent).
# date_part's float8 is exact to the microsecond for these dates (checked on 5 million
# instants, 1970-2100) and costs the server less than half of extract's numeric.
# Ids as text: a decoded UUID is one more object per id for the garbage collector to track,
# and the collector was most of a catch-up read's time (ADR 0008); properties parse on use.
_COLUMNS = """event_id::text, stream_id, version, type, schema_version,
    (date_part('epoch', occurred_at) * 1e6)::bigint, (date_part('epoch', recorded_at) * 1e6)::bigint, actor,
    correlation_id::text, causation_id::text, traceparent, tracestate, data::text, transaction_id, global_position"""

READ_STREAM = f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version"

# Only transactions older than the oldest one still running are visible, so nothing can
# later commit behind the returned rows; (transaction_id, global_position) orders them.
READ_ALL = f"""SELECT {_COLUMNS} FROM events
    WHERE (transaction_id, global_position) > ($1, $2)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
    ORDER BY transaction_id, global_position LIMIT $3"""

# `append_events(...)` (001_eventstore.sql) stays for SQL that appends and does more in one call.
APPEND = "SELECT append_events($1, $2, $3, $4, $5, $6, $7::jsonb[], $8, $9, $10, $11, $12)"

# `append` in one plain statement (ADR 0008): a plpgsql call cost about as much again as the
# INSERT it wraps. Its WHERE is a one-time filter, evaluated before any row is written: the
# append must be its transaction's first write (ADR 0002) and the stream at the expected
# version. A refused append inserts nothing ("INSERT 0 0"); `_refuse` then says why. Two
# appenders that both pass the check collide on the primary key (a unique violation).
# Event ids are made here: the server's uuidv7() draws strong randomness per row, ~6 µs each.
_GUARD = """WHERE pg_current_xact_id_if_assigned() IS NULL
      AND coalesce((SELECT max(version) FROM events WHERE stream_id = $1), 0) = $2"""
APPEND_ONE = f"""INSERT INTO events (stream_id, version, event_id, type, schema_version, occurred_at, data,
        actor, correlation_id, causation_id, traceparent, tracestate)
    SELECT $1, $2 + 1, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12
    {_GUARD}"""
# The events' data travel as one JSON array, serialised in one call and split by the server.
APPEND_MANY = f"""INSERT INTO events (stream_id, version, event_id, type, schema_version, occurred_at, data,
        actor, correlation_id, causation_id, traceparent, tracestate)
    SELECT $1, $2 + e.n::integer, e.event_id, e.type, e.schema_version, $6, e.data, $8, $9, $10, $11, $12
    FROM ROWS FROM (unnest($3::uuid[], $4::text[], $5::integer[]), jsonb_array_elements($7::jsonb))
         WITH ORDINALITY AS e(event_id, type, schema_version, data, n)
    {_GUARD}"""
REFUSAL = """SELECT pg_current_xact_id_if_assigned() IS NULL,
    coalesce((SELECT max(version) FROM events WHERE stream_id = $1), 0)"""


def translated(stream_id: str, error: asyncpg.PostgresError) -> Exception:
    """The exception callers handle for one of the store's SQL errors (the error itself if none)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        if error.table_name != "events":
            return error  # another table's key (an idempotency key, say): the caller's to handle
        return ConcurrencyError(f"stream {stream_id} changed during append")  # a concurrent append won
    if error.sqlstate == "CK409":
        return ConcurrencyError(str(error))
    if error.sqlstate == "CK001":
        return AppendOrderError(str(error))
    return error


@contextlib.contextmanager
def translated_errors(stream_id: str) -> Iterator[None]:
    """The store's SQL errors as the exceptions callers handle."""
    try:
        yield
    except asyncpg.PostgresError as error:
        mapped = translated(stream_id, error)
        if mapped is error:
            raise
        raise mapped from error


async def lock_stream(conn: Connection, stream_id: str) -> None:
    """Serialise this transaction's writers of one busy stream (a device's track batches, say) until it
    ends: they queue here instead of losing the append race one after another."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.stream.' || $1))", stream_id)


@dataclass(frozen=True)
class Stream:
    events: list[Event]
    version: int


class EventStore:
    """One service's events, in its own schema (the pool's search_path)."""

    def __init__(self, pool: asyncpg.Pool, types: EventTypes, metrics: Metrics | None = None) -> None:
        self.pool = pool
        self.types = types
        self.metrics = metrics

    def append_arguments(
        self,
        stream_id: str,
        events: Sequence[Event],
        meta: EventMeta,
        expected_version: int,
        occurred: Sequence[datetime] | None = None,
    ) -> tuple[Any, ...]:
        """The arguments of `append_events(...)`, for SQL that appends and does more in one call.

        `occurred` gives each event its own instant (an imported history); otherwise all share meta's.
        """
        return (
            stream_id,
            expected_version,
            [new_id() for _ in events],
            [event.type for event in events],
            [event.schema_version for event in events],
            list(occurred) if occurred is not None else [meta.occurred()] * len(events),
            [event.model_dump_json() for event in events],
            meta.actor,
            meta.correlation_id,
            meta.causation_id,
            meta.traceparent,
            meta.tracestate,
        )

    def appended(self, events: Sequence[Event]) -> None:
        """Count events appended (also by SQL that called `append_events` itself)."""
        if self.metrics:
            for event in events:
                self.metrics.events_appended.labels(event.type).inc()

    async def append(
        self,
        stream_id: str,
        events: Sequence[Event],
        *,
        meta: EventMeta,
        expected_version: int,
        conn: Connection | None = None,
    ) -> int:
        """Append to a stream at `expected_version`; returns the new version."""
        if not events:
            return expected_version
        attributes: dict[str, str | int] = {"stream.id": stream_id, "events.count": len(events)}
        db = conn or self.pool
        if len(events) == 1:
            [event] = events
            ids: Any = fast_id()
            data: Any = event.model_dump_json()
            types: Any = event.type
            schema_versions: Any = event.schema_version
            statement = APPEND_ONE
        else:
            ids = [fast_id() for _ in events]
            data = pydantic_core.to_json(events).decode()  # a JSON array, as model_dump_json each
            types = [event.type for event in events]
            schema_versions = [event.schema_version for event in events]
            statement = APPEND_MANY
        with tracer.start_as_current_span("eventstore.append", attributes=attributes):
            try:  # not translated_errors: its generator cost ~5% of a single append's client time (py-spy)
                status = await db.execute(
                    statement, stream_id, expected_version, ids, types, schema_versions, meta.occurred(), data,
                    meta.actor, meta.correlation_id, meta.causation_id, meta.traceparent, meta.tracestate,
                )  # fmt: skip
            except asyncpg.PostgresError as error:
                mapped = translated(stream_id, error)
                if mapped is error:
                    raise
                raise mapped from error
            if status == "INSERT 0 0":
                await self._refuse(db, stream_id, expected_version)
        self.appended(events)
        return expected_version + len(events)

    async def append_history(
        self, stream_id: str, history: Sequence[tuple[Event, datetime]], *, meta: EventMeta, conn: Connection
    ) -> int:
        """Start a stream with events that each happened at their own instant (a legacy import)."""
        events = [event for event, _ in history]
        arguments = self.append_arguments(stream_id, events, meta, 0, [at for _, at in history])
        span = tracer.start_as_current_span("eventstore.append_history", attributes={"stream.id": stream_id})
        with span, translated_errors(stream_id):
            await conn.execute(APPEND, *arguments)
        self.appended(events)
        return len(events)

    @staticmethod
    async def _refuse(db: Connection | asyncpg.Pool, stream_id: str, expected_version: int) -> None:
        """Raise what stopped an append that inserted nothing."""
        first_write, version = await db.fetchrow(REFUSAL, stream_id) or (True, 0)
        if not first_write:
            raise AppendOrderError("append must be the first write of its transaction")
        raise ConcurrencyError(f"stream {stream_id} is at version {version}, not {expected_version}")

    async def read_stream(self, stream_id: str, *, after_version: int = 0, conn: Connection | None = None) -> Stream:
        rows = await (conn or self.pool).fetch(READ_STREAM, stream_id, after_version)
        events = [self.types.decode(row[3], row[12], row[4]) for row in rows]
        return Stream(events=events, version=rows[-1][2] if rows else after_version)

    async def read_recorded(self, stream_id: str, conn: Connection | None = None) -> list[RecordedEvent]:
        return await (conn or self.pool).fetch(READ_STREAM, stream_id, 0, record_class=RecordedEvent)

    async def read_all(
        self, after: Position = START, limit: int = 1000, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        """Events after `after` in the global order; never skips one that commits later."""
        return await (conn or self.pool).fetch(
            READ_ALL, after.transaction_id, after.global_position, limit, record_class=RecordedEvent
        )
