"""Projections: read models fed from Kafka, rows and checkpoint in one transaction (ADR 0009).

A projection declares its tables (DDL with `{table}` where the name goes), its handlers keyed
by event class, and the topics it reads. Its tables live as `<table>_g<generation>` with a
view `<table>` on the live generation: readers query the view, handlers write the generation
they are given. `casekit.projection_rebuild` fills generation N+1 from offset 0 while N keeps
answering, then swaps the views in one transaction.

Live, a projection runs inside the shared consumer (casekit/kafka/consumer.py): its inbox,
dead letters and retries. In the consumer's transaction the live handler locks the
projection's row (`FOR SHARE`: a swap waits for it, it waits for a swap), skips offsets the
live generation has already applied (a rebuild may be ahead of the consumer group), applies
the event and advances the checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import asyncpg

from casekit.db import check_schema_name
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound
from casekit.kafka.consumer import BatchHandler, Handler
from casekit.logs import get_logger
from schemas.base import Event
from schemas.topics import Topic

W = TypeVar("W")
Names = Mapping[str, str]
"""A projection's table names (`case_trace`) to the physical tables of one generation (`case_trace_g2`)."""

ProjectionHandler = Callable[[Inbound[Any], W], Awaitable[None]]
"""Applies one event through the projection's writer `W` (the view adapter bound to a generation)."""


@runtime_checkable
class Buffered(Protocol):
    """A writer that gathers its rows and writes them in one statement when flushed.

    One writer serves a whole batch (a rebuild's, or the live consumer's batch of a partition),
    so a buffering writer turns N single-row statements into one; it must read its own
    unflushed writes (a fold that meets the same case twice in a batch).
    """

    async def flush(self) -> None: ...


log = get_logger("casekit.projection")


@dataclass(frozen=True)
class Table:
    """One table of a read model; `ddl` creates it and its indexes, `{table}` standing for its name.

    Index names must contain `{table}` too (`{table}_by_case`): each generation has its own.
    """

    name: str
    ddl: str

    def __post_init__(self) -> None:
        check_schema_name(self.name)
        if len(self.name) > 50:  # PostgreSQL cuts names at 63 bytes; leave room for `_g<N>_by_…`
            raise ValueError(f"table name too long for generations: {self.name}")

    def physical(self, generation: int) -> str:
        return f"{self.name}_g{generation}"

    def create(self, generation: int) -> str:
        """The DDL for one generation (a plain replace: DDL may hold other braces, `'{}'::jsonb`)."""
        return self.ddl.replace("{table}", self.physical(generation))


@dataclass(frozen=True)
class Projection(Generic[W]):
    """A read model fed from events: what it reads, where it writes, and how.

    `name` scopes its checkpoints, its bookkeeping row and a rebuild's inbox. `bind` makes the
    writer its handlers get, for a connection and one generation's table names; `handlers` are
    keyed by event class (each handles that class, upcast from any older version). Bump
    `version` when a handler changes what it writes: the projection is then stale and rebuilt.
    """

    name: str
    tables: tuple[Table, ...]
    topics: tuple[Topic, ...]
    types: EventTypes
    """Every event type its topics may carry (the rest is undecodable), with their upcasters."""
    handlers: Mapping[type[Event], ProjectionHandler[W]]
    bind: Callable[[Connection, Names], W]
    version: int = 1
    by_type: dict[str, ProjectionHandler[W]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_type", {event.type: handler for event, handler in self.handlers.items()})

    def names(self, generation: int) -> dict[str, str]:
        return {table.name: table.physical(generation) for table in self.tables}

    @property
    def fingerprint(self) -> str:
        """What built a generation: if the live one was built by another, a rebuild is due."""
        text = "\n".join([self.name, str(self.version), *(f"{t.name}\n{t.ddl}" for t in self.tables)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    async def apply(self, message: Inbound[Any], conn: Connection, generation: int) -> bool:
        """Apply one message to `generation`'s tables, with no inbox or checkpoint; False if not ours."""
        return await self.apply_all([message], conn, generation) > 0

    async def apply_all(self, messages: Sequence[Inbound[Any]], conn: Connection, generation: int) -> int:
        """Apply messages in order through one writer, flushed at the end; how many were ours."""
        writer = self.bind(conn, self.names(generation))
        applied = 0
        for message in messages:
            handler = self.by_type.get(message.type)
            if handler is not None:
                await handler(message, writer)
                applied += 1
        if applied and isinstance(writer, Buffered):
            await writer.flush()
        return applied


LOCK = "SELECT generation FROM projections WHERE name = $1 FOR SHARE"
READ_CHECKPOINT = """SELECT next_offset FROM projection_checkpoints
    WHERE projection = $1 AND generation = $2 AND topic = $3 AND kafka_partition = $4"""
ADVANCE = """INSERT INTO projection_checkpoints (projection, generation, topic, kafka_partition, next_offset)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (projection, generation, topic, kafka_partition)
    DO UPDATE SET next_offset = greatest(projection_checkpoints.next_offset, excluded.next_offset)"""
CHECKPOINTS = """SELECT topic, kafka_partition, next_offset FROM projection_checkpoints
    WHERE projection = $1 AND generation = $2"""


async def advance(conn: Connection, projection: str, generation: int, topic: str, partition: int, offset: int) -> None:
    """Record that `generation` has applied everything of `topic`/`partition` up to `offset`."""
    await conn.execute(ADVANCE, projection, generation, topic, partition, offset + 1)


async def checkpoints(conn: Connection | asyncpg.Pool, projection: str, generation: int) -> dict[tuple[str, int], int]:
    """(topic, partition) -> next offset, for one generation."""
    rows = await conn.fetch(CHECKPOINTS, projection, generation)
    return {(row[0], row[1]): row[2] for row in rows}


async def live_generation(conn: Connection | asyncpg.Pool, projection: Projection[Any]) -> int:
    generation: int | None = await conn.fetchval("SELECT generation FROM projections WHERE name = $1", projection.name)
    if generation is None:
        raise LookupError(f"projection {projection.name} is not set up: call ensure() at start")
    return generation


async def apply_live(projection: Projection[Any], message: Inbound[Any], conn: Connection) -> None:
    """The live path, inside the shared consumer's transaction (after its inbox check)."""
    generation = await conn.fetchval(LOCK, projection.name)
    if generation is None:
        raise LookupError(f"projection {projection.name} is not set up")  # transient: retried until ensure() ran
    applied = await conn.fetchval(READ_CHECKPOINT, projection.name, generation, message.topic, message.partition)
    if applied is not None and message.offset < applied:
        return  # a rebuild that ran ahead of this consumer group has applied it already
    if await projection.apply(message, conn, generation):
        await advance(conn, projection.name, generation, message.topic, message.partition, message.offset)


async def apply_live_batch(projection: Projection[Any], messages: Sequence[Inbound[Any]], conn: Connection) -> None:
    """`apply_live` for a batch of one partition, in order: one lock, one checkpoint read and write."""
    if not messages or not any(message.type in projection.by_type for message in messages):
        return
    generation = await conn.fetchval(LOCK, projection.name)
    if generation is None:
        raise LookupError(f"projection {projection.name} is not set up")
    first = messages[0]
    applied = await conn.fetchval(READ_CHECKPOINT, projection.name, generation, first.topic, first.partition)
    fresh = [message for message in messages if applied is None or message.offset >= applied]
    if await projection.apply_all(fresh, conn, generation):
        await advance(conn, projection.name, generation, first.topic, first.partition, messages[-1].offset)


def live_batch(projections: Sequence[Projection[Any]]) -> BatchHandler:
    """A consumer's batch handler (`Subscription.batch`) for a group that only projects.

    A group with side-effecting reactions has none: those run one message per transaction.
    """

    async def handle(messages: Sequence[Inbound[Any]], conn: Connection) -> None:
        for projection in projections:
            await apply_live_batch(projection, messages, conn)

    return handle


def live_handlers(
    projections: Sequence[Projection[Any]], also: Mapping[str, Handler] | None = None
) -> dict[str, Handler]:
    """Handlers for a `Subscription`: each event type applied to every projection that wants it.

    Several projections can share one consumer group (and so its inbox and dead-letter topic):
    each keeps its own generation and checkpoints, so each is rebuilt on its own. `also` are
    the group's other handlers (reactions with side effects, which a rebuild must never
    repeat): each runs first, in the same transaction, because an event append must be its
    transaction's first write (ADR 0002) and a projection's row lock is a write.
    """
    wanted: dict[str, list[Projection[Any]]] = {}
    for projection in projections:
        for event_type in projection.by_type:
            wanted.setdefault(event_type, []).append(projection)
    others = dict(also or {})

    def handler_for(targets: list[Projection[Any]], then: Handler | None) -> Handler:
        async def handle(message: Inbound[Any], conn: Connection) -> None:
            if then is not None:
                await then(message, conn)
            for projection in targets:
                await apply_live(projection, message, conn)

        return handle

    handlers = {
        event_type: handler_for(targets, others.pop(event_type, None)) for event_type, targets in wanted.items()
    }
    return {**handlers, **others}


async def live_writer(conn: Connection, projection: Projection[W]) -> W:
    """The writer on the live generation, for a command that updates a read model in its own transaction.

    Takes the projection's row lock like the live consumer, so a swap cannot slip in between.
    The event still reaches the projection through Kafka later: its handler must then find
    the row written and change nothing (an upsert), and a rebuild writes it from the event.
    """
    generation = await conn.fetchval(LOCK, projection.name)
    if generation is None:
        raise LookupError(f"projection {projection.name} is not set up")
    return projection.bind(conn, projection.names(generation))


def topics_of(projections: Sequence[Projection[Any]]) -> list[Topic]:
    """Every topic the projections read, once each, in declaration order."""
    return list({topic.name: topic for projection in projections for topic in projection.topics}.values())


async def create_tables(conn: Connection, projection: Projection[Any], generation: int) -> None:
    for table in projection.tables:
        physical = table.physical(generation)
        await conn.execute(f"DROP TABLE IF EXISTS {physical}")
        await conn.execute(table.create(generation))


async def point_views(conn: Connection, projection: Projection[Any], generation: int) -> None:
    """Make each table's view name `generation`; columns may differ between generations, so re-create."""
    for table in projection.tables:
        await conn.execute(f"DROP VIEW IF EXISTS {table.name}")
        await conn.execute(f"CREATE VIEW {table.name} AS SELECT * FROM {table.physical(generation)}")


async def ensure(pool: asyncpg.Pool, projection: Projection[Any], group: str) -> bool:
    """Create a projection's first generation if it has none; True if it needs a rebuild.

    It does when the live generation was built from other DDL or another `version`, or when it
    is new to a consumer group that has handled messages already: those will not come again.
    """
    async with pool.acquire() as conn, conn.transaction():
        # Replicas start together; one creates, the others find the row.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"projection:{projection.name}")
        fingerprint = await conn.fetchval("SELECT fingerprint FROM projections WHERE name = $1", projection.name)
        if fingerprint is None:
            had_history = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1)", group)
            fingerprint = "" if had_history else projection.fingerprint
            await create_tables(conn, projection, 1)
            await point_views(conn, projection, 1)
            await conn.execute(
                "INSERT INTO projections (name, generation, fingerprint) VALUES ($1, 1, $2)",
                projection.name,
                fingerprint,
            )
    stale: bool = fingerprint != projection.fingerprint
    if stale:
        log.warning("projection.stale", projection=projection.name, reason="new to its group or changed")
    return stale


async def stale(db: Connection | asyncpg.Pool, projection: Projection[Any]) -> bool:
    """Whether the live generation was built by other DDL, another version, or without its history."""
    fingerprint = await db.fetchval("SELECT fingerprint FROM projections WHERE name = $1", projection.name)
    return bool(fingerprint != projection.fingerprint)
