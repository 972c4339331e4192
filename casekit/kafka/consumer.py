"""The consumer every service uses: inbox in the handler's transaction, dead letters, retries.

A service writes only handlers `async def on_x(message, conn)`; this module makes them
idempotent (inbox), parks what can never pass (dead-letter topic) and retries the rest.
Offsets are committed only after the database has committed (at-least-once), at most every
`commit_seconds` and whenever the topic goes quiet: a commit per handled batch was a broker
round trip on the consumer's one path, which capped Dispatch near 100 messages/s (issue 10).
What a crash or a rebalance leaves uncommitted is delivered again and the inbox skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError
from aiokafka.structs import ConsumerRecord
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from casekit import inbox
from casekit.errors import InvalidInput, RuleViolation
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, dead_letter_headers, decode_event, decode_message, header_map
from casekit.kafka.connection import KafkaConnection
from casekit.logs import get_logger
from casekit.metrics import Metrics
from casekit.retry import backoff
from casekit.tracing import context_from
from schemas.base import Message

tracer = trace.get_tracer("casekit.consumer")
Handler = Callable[[Inbound[Any], Connection], Awaitable[None]]
BatchHandler = Callable[[Sequence[Inbound[Any]], Connection], Awaitable[None]]
"""Handles a partition's batch of new messages, in order, in one transaction (projections only)."""


@dataclass(frozen=True)
class Subscription:
    """What one consumer group reads and who handles it.

    `types` are all the event types its domain topics may carry (anything else is dead-lettered);
    `handlers` maps the ones it acts on to handlers; `messages` maps inbound channel topics
    to the model their bodies must satisfy and its handler.
    """

    group: str
    event_topics: tuple[str, ...] = ()
    types: EventTypes = field(default_factory=lambda: EventTypes([]))
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    messages: Mapping[str, tuple[type[Message], Handler]] = field(default_factory=dict)
    """topic -> (model, handler)."""
    dead_letter_topic: str = ""
    batch: BatchHandler | None = None
    """For a group that only projects: each partition's batch in one transaction, its inbox in two
    statements. Any failure rolls the batch back and replays it one message at a time through
    `handlers`, which dead-letter what can never pass and retry the rest."""

    @property
    def topics(self) -> tuple[str, ...]:
        return (*self.event_topics, *self.messages)


class Consumer:
    def __init__(
        self,
        subscription: Subscription,
        *,
        kafka: KafkaConnection,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        service: str,
        commit_seconds: float = 0.1,
    ) -> None:
        self.sub = subscription
        self.pool = pool
        self.producer = producer
        self.metrics = metrics
        self.kafka = AIOKafkaConsumer(
            *subscription.topics,
            **kafka.client_kwargs(),
            group_id=subscription.group,
            client_id=f"{service}-{subscription.group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        self.stopping = asyncio.Event()
        self.log = get_logger(service).bind(group=subscription.group)
        self.commit_seconds = commit_seconds
        self.handled: dict[TopicPartition, int] = {}
        """Per partition, the next offset: everything before it is handled and committed in PostgreSQL."""
        self.commit_due = time.monotonic() + commit_seconds
        # A batch in one transaction wants many records; one per transaction gains nothing from more.
        self.max_records = 2_000 if subscription.batch else 200

    async def start(self) -> None:
        await self.kafka.start()

    async def run(self) -> None:
        """Consume until `stop()`; what was in flight finishes and its offsets are committed."""
        try:
            while not self.stopping.is_set():
                batches = await self.kafka.getmany(timeout_ms=200, max_records=self.max_records)
                for partition, records in batches.items():
                    done = await self._process_partition(records)
                    if done is not None:
                        self.handled[partition] = done + 1
                        self._record_lag(partition, done + 1)
                if self.handled and (not batches or time.monotonic() >= self.commit_due):
                    await self._commit_handled()
        finally:
            try:
                with contextlib.suppress(Exception):  # broker away: the next owner redelivers, the inbox skips
                    await self._commit_handled()
            finally:
                await self.kafka.stop()

    async def stop(self) -> None:
        self.stopping.set()

    async def _process_partition(self, records: list[ConsumerRecord[bytes, bytes]]) -> int | None:
        """Handle records in order; the offset of the last one handled, if any."""
        if self.sub.batch is not None and await self._process_batch(self.sub.batch, records):
            return int(records[-1].offset)
        last = None
        for record in records:
            if not await self._process_with_retry(record):
                break  # stopping mid-retry: the rest is redelivered to whoever owns it next
            last = record.offset
        return last

    async def _process_with_retry(self, record: ConsumerRecord[bytes, bytes]) -> bool:
        attempt = 0
        while True:
            try:
                try:
                    await self._process(record)
                except (InvalidInput, RuleViolation) as why:  # can never pass: park it, move on
                    await self._dead_letter(record, why)
                return True
            # Transient: database or broker away (the dead-letter topic's too); retry, never skip.
            except Exception as error:
                attempt += 1
                self.metrics.handler_retries.labels(record.topic).inc()
                self.log.warning(
                    "consumer.retry", error=repr(error), attempt=attempt, topic=record.topic, offset=record.offset
                )
                if self.stopping.is_set():
                    return False
                await asyncio.sleep(backoff(attempt))

    async def _process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        message, handler = self._decode(record)
        if message is None or handler is None:
            self.metrics.messages_consumed.labels(record.topic, "ignored").inc()
            return
        attributes = {
            "messaging.system": "kafka",
            "messaging.message.id": message.id,
            "messaging.destination.name": record.topic,
            "case.id": message.subject or "",
        }
        with (
            tracer.start_as_current_span(
                f"process {record.topic}",
                context=context_from(message.traceparent),
                kind=SpanKind.CONSUMER,
                attributes=attributes,
            ),
            structlog.contextvars.bound_contextvars(case_id=message.subject, message_id=message.id),
        ):
            async with self.pool.acquire() as conn, conn.transaction():
                if await inbox.seen(conn, self.sub.group, message.id):
                    self.metrics.messages_consumed.labels(record.topic, "duplicate").inc()
                    self.log.info("consumer.duplicate", type=message.type)
                    return
                await handler(message, conn)
                await inbox.record(conn, self.sub.group, message.id)
            self.metrics.messages_consumed.labels(record.topic, "handled").inc()
            self.log.info("consumer.handled", type=message.type, topic=record.topic, offset=record.offset)

    async def _process_batch(self, batch: BatchHandler, records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        """The whole batch in one transaction; False (nothing kept) if any of it failed."""
        topic = records[0].topic
        try:
            decoded = [self._decode(record) for record in records]
            messages = [message for message, handler in decoded if message is not None and handler is not None]
            with tracer.start_as_current_span(
                f"process {topic}",
                kind=SpanKind.CONSUMER,
                attributes={"messaging.system": "kafka", "messaging.destination.name": topic,
                            "messaging.batch.message_count": len(records)},
            ):  # fmt: skip
                async with self.pool.acquire() as conn, conn.transaction():
                    seen = await inbox.seen_among(conn, self.sub.group, [message.id for message in messages])
                    fresh = []
                    for message in messages:
                        if message.id not in seen:
                            seen.add(message.id)
                            fresh.append(message)
                    await batch(fresh, conn)
                    await inbox.record_many(conn, self.sub.group, [message.id for message in fresh])
        except Exception as error:  # one bad record or a transient failure: the one-by-one path sorts it out
            self.log.info("consumer.batch_fallback", error=repr(error), topic=topic, records=len(records))
            return False
        consumed = self.metrics.messages_consumed
        consumed.labels(topic, "handled").inc(len(fresh))
        consumed.labels(topic, "duplicate").inc(len(messages) - len(fresh))
        consumed.labels(topic, "ignored").inc(len(records) - len(messages))
        self.log.info("consumer.handled_batch", topic=topic, records=len(records), handled=len(fresh),
                      last_offset=records[-1].offset)  # fmt: skip
        return True

    def _decode(self, record: ConsumerRecord[bytes, bytes]) -> tuple[Inbound[Any] | None, Handler | None]:
        if record.topic in self.sub.messages:
            model, on_message = self.sub.messages[record.topic]
            return decode_message(record, model), on_message
        event_type = header_map(record).get("ce_type", "")
        on_event = self.sub.handlers.get(event_type)
        if on_event is None and event_type in self.sub.types:
            return None, None  # a valid event this consumer has no use for
        return decode_event(record, self.sub.types), on_event

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], why: Exception) -> None:
        headers = dead_letter_headers(record, self.sub.group, why)
        await self.producer.send_and_wait(self.sub.dead_letter_topic, record.value, key=record.key, headers=headers)
        self.metrics.dead_lettered.labels(record.topic).inc()
        self.log.warning("consumer.dead_lettered", reason=str(why), topic=record.topic, offset=record.offset)

    async def _commit_handled(self) -> None:
        offsets, self.handled = self.handled, {}
        self.commit_due = time.monotonic() + self.commit_seconds
        if offsets:
            await self._commit(offsets)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        try:
            await self.kafka.commit(offsets)
        except CommitFailedError as error:  # partitions moved in a rebalance: the new owner redelivers
            self.log.warning("consumer.commit_failed", error=repr(error))

    def _record_lag(self, partition: TopicPartition, next_offset: int) -> None:
        highwater = self.kafka.highwater(partition)
        if highwater is not None:
            self.metrics.consumer_lag.labels(partition.topic, str(partition.partition)).set(
                max(highwater - next_offset, 0)
            )
