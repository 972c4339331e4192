"""The outbox relay: publishes the event table to Kafka in the store's global order.

The event table is the outbox (ADR 0003). The relay publishes a batch, waits for the
broker's acknowledgement, then records its position; a crash in between republishes the
batch (consumers dedup by `ce_id`), never loses it. One instance per service holds a
PostgreSQL advisory lock as its lease; the others wait for it.

It polls: `busy_seconds` after a batch, doubling after each empty read up to `idle_seconds`.
Under load every hop waits a few milliseconds for its relay instead of half the idle pause on
average (issue 10's routing latency: two relays at 50 ms cost ~60 ms of a 100 ms p99), and an
idle relay still reads only every `idle_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from casekit.envelope import Position, RecordedEvent
from casekit.eventstore import Connection, EventStore
from casekit.kafka.cloudevents import event_headers
from casekit.logs import get_logger
from casekit.metrics import Metrics
from casekit.retry import backoff
from casekit.tracing import context_from, current_trace_headers

tracer = trace.get_tracer("casekit.outbox")
AfterPublish = Callable[[list[RecordedEvent]], Awaitable[None]]

LOAD = "SELECT transaction_id, global_position FROM relay_checkpoints WHERE relay = $1"
SAVE = """INSERT INTO relay_checkpoints (relay, transaction_id, global_position) VALUES ($1, $2, $3)
    ON CONFLICT (relay) DO UPDATE SET transaction_id = $2, global_position = $3, updated_at = now()"""
LEASE = "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.relay.' || $1))"
UNLEASE = "SELECT pg_advisory_unlock_all()"
# The oldest committed event past the checkpoint, read without READ_ALL's xmin fence: while a
# long transaction anywhere holds the fence back, the relay reads nothing, yet this row waits
# (ADR 0002, "alert on relay_lag_seconds"). The index on the pair makes it one probe; the age is
# taken on the database's clock, which wrote `recorded_at`.
OLDEST_UNPUBLISHED = """SELECT greatest(extract(epoch FROM clock_timestamp() - recorded_at), 0)::float8 FROM events
    WHERE (transaction_id, global_position) > ($1, $2)
    ORDER BY transaction_id, global_position LIMIT 1"""


class Relay:
    def __init__(
        self,
        *,
        name: str,
        store: EventStore,
        producer: AIOKafkaProducer,
        topic: str,
        source: str,
        metrics: Metrics,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        busy_seconds: float = 0.002,
        lag_seconds: float = 1.0,
        after_publish: AfterPublish | None = None,
    ) -> None:
        self.name, self.store, self.producer, self.topic, self.source = name, store, producer, topic, source
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        """The longest pause between reads, reached after consecutive empty reads."""
        self.busy_seconds = min(busy_seconds, idle_seconds)
        """The pause after a batch: the next events come soon under load."""
        self.lag_seconds = lag_seconds
        """How often an idle relay measures its lag: one index probe per interval."""
        self.after_publish = after_publish
        """Runs between publishing and recording the position: where a crash hurts most."""
        self.stopping = asyncio.Event()
        self.log = get_logger(source).bind(relay=name, topic=topic)

    async def run(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            try:
                async with self.store.pool.acquire() as lease:
                    if await lease.fetchval(LEASE, self.name):
                        attempt = 0
                        try:
                            await self._publish_while_leased(lease)
                            return
                        finally:
                            await self._release(lease)
                await self._pause(1.0)  # another instance holds the lease
            except Exception as error:  # broker or database away: retry from the checkpoint
                attempt += 1
                self.metrics.relay_errors.inc()
                self.log.warning("relay.retry", error=repr(error), attempt=attempt)
                await self._pause(backoff(attempt))

    async def stop(self) -> None:
        self.stopping.set()

    @staticmethod
    async def _release(lease: Connection) -> None:
        # The pool does not reset sessions (casekit.db.keep_session): give the lease back here.
        # A broken connection cannot be unlocked, but then PostgreSQL has dropped its locks.
        with contextlib.suppress(Exception):
            await lease.execute(UNLEASE)

    async def _publish_while_leased(self, lease: Connection) -> None:
        # The lease connection also reads and records: if it dies, so does the lease and this loop.
        row = await lease.fetchrow(LOAD, self.name)
        position = Position(row[0], row[1]) if row else Position()
        measured_at = -math.inf  # monotonic instant of the last idle measurement; -inf: none yet
        pause = self.busy_seconds
        while not self.stopping.is_set():
            batch = await self.store.read_all(position, self.batch_size, conn=lease)
            if not batch:
                if time.monotonic() - measured_at >= self.lag_seconds:
                    measured_at = time.monotonic()
                    await self._measure_idle_lag(lease, position)
                await self._pause(pause)
                pause = min(pause * 2, self.idle_seconds)
                continue
            self.metrics.relay_lag.set((datetime.now(UTC) - batch[0].recorded_at).total_seconds())
            await self._publish(batch)
            if self.after_publish:
                await self.after_publish(batch)
            position = batch[-1].position
            await lease.execute(SAVE, self.name, position.transaction_id, position.global_position)
            pause = self.busy_seconds
            if len(batch) < self.batch_size:
                await self._pause(pause)

    async def _measure_idle_lag(self, lease: Connection, position: Position) -> None:
        """Nothing readable: the lag is the age of the oldest committed event the fence still hides, or 0."""
        age = await lease.fetchval(OLDEST_UNPUBLISHED, position.transaction_id, position.global_position)
        self.metrics.relay_lag.set(age or 0.0)

    async def _publish(self, batch: list[RecordedEvent]) -> None:
        deliveries = []
        for event in batch:
            # Validate against the contract on the way out; a failure stops the relay (and
            # raises relay_lag_seconds) rather than publish what consumers cannot read.
            self.store.types.decode(event.type, event.data, event.schema_version)
            parent = context_from(event.traceparent, event.tracestate)
            with tracer.start_as_current_span(
                f"publish {self.topic}",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": self.topic,
                    "case.id": str(event.correlation_id),
                },
            ):
                headers = event_headers(event, self.source)
                traceparent, _ = current_trace_headers()  # consumers continue from the publish span
                if traceparent:
                    headers = [(k, v) for k, v in headers if k != "traceparent"]
                    headers.append(("traceparent", traceparent.encode()))
                key = str(event.correlation_id).encode() if event.correlation_id else None
                deliveries.append(await self.producer.send(self.topic, event.data.encode(), key=key, headers=headers))
        await asyncio.gather(*deliveries)  # the broker acknowledged every one
        self.metrics.events_published.labels(self.topic).inc(len(batch))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
