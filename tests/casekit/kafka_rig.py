"""A small service-shaped rig for testing the plumbing: a store, a relay, a consumer, effects."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from casekit.eventstore import Connection, EventStore
from casekit.eventtypes import EventTypes
from casekit.kafka.admin import ensure_topics
from casekit.kafka.cloudevents import Inbound
from casekit.kafka.connection import KafkaConnection
from casekit.kafka.consumer import Consumer, Subscription
from casekit.kafka.producer import create_producer
from casekit.metrics import Metrics
from casekit.outbox import AfterPublish, Relay
from casekit.tracing import setup_tracing
from schemas.base import Event
from schemas.topics import Topic


class Noted(Event):
    type: ClassVar[str] = "test.Noted"
    text: str


class Ignored(Event):
    type: ClassVar[str] = "test.Ignored"


TYPES = EventTypes([Noted, Ignored])
EFFECTS = "CREATE TABLE IF NOT EXISTS effects (message_id text, text text)"


async def record_effect(message: Inbound[Any], conn: Connection) -> None:
    await conn.execute("INSERT INTO effects VALUES ($1, $2)", message.id, message.data.text)


async def effects(pool: asyncpg.Pool) -> list[str]:
    return [row[0] for row in await pool.fetch("SELECT text FROM effects ORDER BY text")]


@dataclass
class Rig:
    pool: asyncpg.Pool
    kafka: KafkaConnection
    """The admin's: the rig's topics and group are its own, outside the ACL table."""
    prefix: str
    metrics: Metrics = field(default_factory=Metrics)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def topic(self) -> str:
        return f"{self.prefix}events"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}dlq"

    @property
    def store(self) -> EventStore:
        return EventStore(self.pool, TYPES, self.metrics)

    async def relay(self, producer: AIOKafkaProducer, after_publish: AfterPublish | None = None) -> Relay:
        relay = Relay(
            name="test",
            store=self.store,
            producer=producer,
            topic=self.topic,
            source="/test/rig",
            metrics=self.metrics,
            after_publish=after_publish,
        )
        self.tasks.append(asyncio.create_task(relay.run()))
        return relay

    async def consumer(self, producer: AIOKafkaProducer, commit_seconds: float = 0.1) -> Consumer:
        subscription = Subscription(
            group=f"{self.prefix}group",
            event_topics=(self.topic,),
            types=TYPES,
            handlers={Noted.type: record_effect},
            dead_letter_topic=self.dead_letters,
        )
        consumer = Consumer(
            subscription,
            kafka=self.kafka,
            pool=self.pool,
            producer=producer,
            metrics=self.metrics,
            service="test",
            commit_seconds=commit_seconds,
        )
        await consumer.start()
        self.tasks.append(asyncio.create_task(consumer.run()))
        return consumer


@contextlib.asynccontextmanager
async def producer_on(kafka: KafkaConnection) -> AsyncIterator[AIOKafkaProducer]:
    producer = create_producer(kafka, "test")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def rig(pool: asyncpg.Pool, kafka: KafkaConnection, prefix: str) -> AsyncIterator[Rig]:
    setup_tracing("test")
    await pool.execute(EFFECTS)
    built = Rig(pool, kafka, prefix)
    await ensure_topics(kafka, [Topic(built.topic, partitions=3), Topic(built.dead_letters, 1)])
    try:
        yield built
    finally:
        for task in built.tasks:
            task.cancel()
        await asyncio.gather(*built.tasks, return_exceptions=True)


async def read_topic(
    kafka: KafkaConnection, topic: str, expected: int, timeout_ms: int = 20000
) -> list[ConsumerRecord[bytes, bytes]]:
    """Everything on a topic from the start, until `expected` records have been seen."""
    reader = AIOKafkaConsumer(topic, **kafka.client_kwargs(), auto_offset_reset="earliest", enable_auto_commit=False)
    await reader.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout_ms / 1000):
            while len(records) < expected:
                for batch in (await reader.getmany(timeout_ms=200)).values():
                    records.extend(batch)
    finally:
        await reader.stop()
    return records
