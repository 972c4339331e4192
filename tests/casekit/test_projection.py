"""A projection fed live through the shared consumer: idempotent, rows and checkpoint together."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from casekit.errors import RuleViolation
from casekit.eventstore import Connection
from casekit.kafka.admin import ensure_topics
from casekit.kafka.cloudevents import Inbound
from casekit.kafka.consumer import Consumer, Handler, Subscription
from casekit.metrics import Metrics
from casekit.projection import Names, Projection, Table, checkpoints, ensure, live_batch, live_handlers, live_writer
from devstack.stack import Stack
from schemas.topics import Topic
from tests.casekit.kafka_rig import TYPES, Noted, producer_on
from tests.conftest import eventually

NOTES = Table(
    "notes",
    """CREATE TABLE {table} (event_id text PRIMARY KEY, text text NOT NULL, kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL);
    CREATE INDEX {table}_by_text ON {table} (text)""",
)
TALLY = Table("tally", "CREATE TABLE {table} (text text PRIMARY KEY, applied integer NOT NULL)")
"""How many times each text was applied: 2 anywhere means an event was applied twice."""


class NoteRows:
    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.names = names

    async def add(self, message: Inbound[Noted]) -> None:
        await self.conn.execute(
            f"INSERT INTO {self.names['notes']} VALUES ($1, $2, $3, $4)",
            message.id,
            message.data.text,
            message.partition,
            message.offset,
        )
        await self.conn.execute(
            f"""INSERT INTO {self.names["tally"]} VALUES ($1, 1)
                ON CONFLICT (text) DO UPDATE SET applied = {self.names["tally"]}.applied + 1""",
            message.data.text,
        )


@dataclass
class Failing:
    """Texts whose handler writes its rows and then fails (a transient error), until released."""

    texts: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    """Texts whose handler writes its rows and then refuses the event (dead-lettered)."""


def notes_projection(failing: Failing) -> Projection[NoteRows]:
    async def on_noted(message: Inbound[Noted], rows: NoteRows) -> None:
        await rows.add(message)
        if message.data.text in failing.texts:
            raise RuntimeError(f"{message.data.text} fails after writing")
        if message.data.text in failing.refused:
            raise RuleViolation(f"{message.data.text} can never pass")

    return Projection(
        name="test.notes",
        tables=(NOTES, TALLY),
        topics=(Topic("notes", partitions=3),),
        types=TYPES,
        handlers={Noted: on_noted},
        bind=NoteRows,
    )


@dataclass
class ProjectionRig:
    pool: asyncpg.Pool
    stack: Stack
    prefix: str
    producer: AIOKafkaProducer
    projection: Projection[NoteRows]
    failing: Failing
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def topic(self) -> str:
        return f"{self.prefix}notes"

    @property
    def group(self) -> str:
        return f"{self.prefix}group"

    def topic_name(self, name: str) -> str:
        return self.prefix + name

    async def note(
        self, text: str, event_id: str | None = None, event_type: str = "test.Noted", key: str | None = None
    ) -> None:
        headers = [
            ("ce_specversion", b"1.0"),
            ("ce_id", (event_id or str(uuid4())).encode()),
            ("ce_source", b"/test"),
            ("ce_type", event_type.encode()),
        ]
        body = orjson.dumps({"case_id": str(uuid4()), "text": text})
        await self.producer.send_and_wait(self.topic, body, key=(key or text).encode(), headers=headers)

    async def start_consumer(self, also: Mapping[str, Handler] | None = None, *, batched: bool = False) -> Consumer:
        subscription = Subscription(
            group=self.group,
            event_topics=(self.topic,),
            types=TYPES,
            handlers=live_handlers([self.projection], also),
            dead_letter_topic=f"{self.prefix}dlq",
            batch=live_batch([self.projection]) if batched else None,
        )
        consumer = Consumer(
            subscription,
            kafka=self.stack.kafka_admin,
            pool=self.pool,
            producer=self.producer,
            metrics=self.metrics,
            service="test",
        )
        await consumer.start()
        self.tasks.append(asyncio.create_task(consumer.run()))
        return consumer

    async def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, as readers see them (through the views)."""
        return {
            table.name: [tuple(row) for row in await self.pool.fetch(f"SELECT * FROM {table.name} ORDER BY 1")]
            for table in self.projection.tables
        }

    async def tally(self) -> dict[str, int]:
        return {row[0]: row[1] for row in await self.pool.fetch("SELECT text, applied FROM tally")}

    async def generation(self) -> int:
        value: int = await self.pool.fetchval("SELECT generation FROM projections WHERE name = 'test.notes'")
        return value


@contextlib.asynccontextmanager
async def projection_rig(pool: asyncpg.Pool, stack: Stack, prefix: str) -> AsyncIterator[ProjectionRig]:
    failing = Failing()
    projection = notes_projection(failing)
    await ensure_topics(stack.kafka_admin, [Topic(f"{prefix}notes", 3), Topic(f"{prefix}dlq", 1)])
    await ensure(pool, projection, f"{prefix}group")
    async with producer_on(stack.kafka_admin) as producer:
        rig = ProjectionRig(pool, stack, prefix, producer, projection, failing)
        try:
            yield rig
        finally:
            for task in rig.tasks:
                task.cancel()
            await asyncio.gather(*rig.tasks, return_exceptions=True)


async def test_a_redelivered_event_changes_nothing(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await rig.note("once", event_id="event-1")
        await rig.note("once", event_id="event-1")  # the relay republished it after a crash
        await rig.note("then", event_id="event-2")
        await rig.start_consumer()

        async def settled() -> None:
            assert await rig.tally() == {"once": 1, "then": 1}
            assert rig.metrics.messages_consumed.labels(rig.topic, "duplicate")._value.get() == 1

        await eventually(settled)
        assert [row[0] for row in (await rig.rows())["notes"]] == ["event-1", "event-2"]


async def test_rows_and_checkpoint_commit_together(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        rig.failing.texts.add("boom")
        # One key, so one partition, in this order: offsets 0, 1, 2.
        for text in ("first", "boom", "after"):
            await rig.note(text, event_id=text, key="same")
        await rig.start_consumer()

        async def failing() -> None:
            assert rig.metrics.handler_retries.labels(rig.topic)._value.get() >= 2

        await eventually(failing)
        # "boom" wrote its rows before failing: neither they nor its checkpoint are there.
        assert await rig.tally() == {"first": 1}
        (position,) = (await checkpoints(pool, "test.notes", 1)).items()
        assert position == ((rig.topic, position[0][1]), 1)

        rig.failing.texts.clear()

        async def recovered() -> None:
            assert await rig.tally() == {"first": 1, "boom": 1, "after": 1}
            assert list((await checkpoints(pool, "test.notes", 1)).values()) == [3]

        await eventually(recovered)


async def test_the_groups_other_reactions_share_the_projections_transaction(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    await pool.execute("CREATE TABLE effects (text text NOT NULL, first_write boolean NOT NULL)")

    async def side_effect(message: Inbound[Noted], conn: Connection) -> None:
        # First: an event append, if a reaction makes one, must be the first write (ADR 0002).
        first = await conn.fetchval("SELECT pg_current_xact_id_if_assigned() IS NULL")
        await conn.execute("INSERT INTO effects VALUES ($1, $2)", message.data.text, first)

    async with projection_rig(pool, stack, prefix) as rig:
        rig.failing.texts.add("boom")
        await rig.note("boom")
        await rig.start_consumer(also={Noted.type: side_effect})

        async def failing() -> None:
            assert rig.metrics.handler_retries.labels(rig.topic)._value.get() >= 2

        await eventually(failing)
        assert await pool.fetch("SELECT * FROM effects") == []  # rolled back with the projection's rows
        rig.failing.texts.clear()

        async def reacted() -> None:
            assert [tuple(row) for row in await pool.fetch("SELECT * FROM effects")] == [("boom", True)]
            assert await rig.tally() == {"boom": 1}

        await eventually(reacted)


async def test_a_command_writes_the_live_generation_through_the_projection(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig, pool.acquire() as conn, conn.transaction():
        rows = await live_writer(conn, rig.projection)
        await conn.execute(f"INSERT INTO {rows.names['tally']} VALUES ('by-command', 1)")

    assert await rig.tally() == {"by-command": 1}
