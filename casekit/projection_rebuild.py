"""Rebuild a projection from offset 0 into shadow tables, then swap them in (ADR 0009).

1. Take the projection's rebuild lock (one rebuild at a time), create generation N+1 beside
   the live N, note every partition's high watermark.
2. Replay every partition from offset 0 with a reader of its own (assigned partitions, no
   consumer group) into N+1, each batch with its checkpoint and its own inbox scope, until
   the watermarks; then until the live checkpoints of N, which moved on meanwhile.
3. Swap in one transaction: lock the projection's row (the live consumer's next transaction
   waits), replay the little that N applied since, point the views at N+1. The live consumer
   resumes on N+1 and skips offsets below N+1's checkpoints, so nothing is lost or applied
   twice. Until that commit, the views name N: the old tables keep answering.
4. Drop N once the readers have moved.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from casekit.errors import RuleViolation, Undecodable
from casekit.eventstore import Connection
from casekit.kafka.cloudevents import Inbound, decode_event
from casekit.kafka.connection import KafkaConnection
from casekit.logs import get_logger
from casekit.projection import Projection, advance, checkpoints, create_tables, live_generation, point_views

log = get_logger("casekit.projection")
Offsets = Mapping[TopicPartition, int]


class RebuildRunning(Exception):
    """Another process is rebuilding this projection."""


class HistoryMissing(Exception):
    """A partition no longer starts at offset 0: retention deleted events a rebuild needs."""


@dataclass(frozen=True)
class Progress:
    projection: str
    phase: str
    """`replay` (to the watermarks noted at start), `catch-up` (to the live checkpoints), `swapped`."""
    read: int
    """Records read so far."""
    total: int
    """Records up to the watermarks noted at start."""
    generation: int
    """The generation being built."""


OnProgress = Callable[[Progress], Awaitable[None]]
READ_BATCH = 5_000
"""Records per read, applied in one transaction: per-batch round trips are most of a small batch's cost."""
SEEN = "SELECT coalesce(array_agg(message_id), '{}') FROM inbox WHERE consumer = $1 AND message_id = ANY($2::text[])"
RECORD = "INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::text[])"


@dataclass
class _Replay:
    projection: Projection[Any]
    reader: AIOKafkaConsumer
    generation: int
    scope: str
    total: int
    on_progress: OnProgress | None
    read: int = 0

    async def until(self, targets: Offsets, pool: asyncpg.Pool, phase: str, conn: Connection | None = None) -> None:
        """Apply every record below `targets` (and whatever else the reader hands over)."""
        while await self._behind(targets):
            batches = await self.reader.getmany(timeout_ms=200, max_records=READ_BATCH)
            if not batches:
                continue
            if conn is None:
                async with pool.acquire() as own, own.transaction():
                    await self._apply(batches, own)
            else:
                async with conn.transaction():  # a savepoint inside the swap's transaction
                    await self._apply(batches, conn)
            self.read += sum(len(records) for records in batches.values())
            if self.on_progress:
                await self.on_progress(Progress(self.projection.name, phase, self.read, self.total, self.generation))

    async def _behind(self, targets: Offsets) -> bool:
        assigned = self.reader.assignment()
        for tp, offset in targets.items():
            if tp in assigned and await self.reader.position(tp) < offset:
                return True
        return False

    async def _apply(
        self, batches: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]], conn: Connection
    ) -> None:
        """What one read brought, through one writer, with its checkpoints, in the caller's transaction.

        Partitions are applied one after the other: a case's events are in order within each
        topic, and folds that span topics order by `recorded` themselves.
        """
        messages = []
        for records in batches.values():
            for record in records:
                if _event_type(record) not in self.projection.by_type:
                    continue  # not this projection's: no need to validate it
                try:
                    messages.append(decode_event(record, self.projection.types))
                except Undecodable:
                    continue  # the live consumer dead-lettered it; it can never pass here either
        seen = set(await conn.fetchval(SEEN, self.scope, [message.id for message in messages]))
        fresh = []
        for message in messages:
            if message.id not in seen:  # else a republished duplicate of one applied already
                seen.add(message.id)
                fresh.append(message)
        try:
            async with conn.transaction():  # the batch through one writer, in one savepoint
                await self.projection.apply_all(fresh, conn, self.generation)
            applied = [message.id for message in fresh]
        except RuleViolation:
            applied = await self._apply_each(fresh, conn)
        await conn.execute(RECORD, self.scope, applied)
        for tp, records in batches.items():
            await advance(conn, self.projection.name, self.generation, tp.topic, tp.partition, records[-1].offset)

    async def _apply_each(self, messages: list[Inbound[Any]], conn: Connection) -> list[str]:
        """A batch with a refused event in it, one savepoint per event; the ids applied."""
        applied = []
        for message in messages:
            try:
                async with conn.transaction():  # a refused event leaves nothing behind
                    await self.projection.apply(message, conn, self.generation)
            except RuleViolation as why:  # the live consumer dead-letters it
                log.warning("projection.rebuild_skipped", projection=self.projection.name, reason=str(why))
                continue
            applied.append(message.id)
        return applied


def _event_type(record: ConsumerRecord[bytes, bytes]) -> str | None:
    for key, value in record.headers or ():
        if key == "ce_type":
            return str(value.decode(errors="replace"))
    return None


@contextlib.asynccontextmanager
async def _reader(kafka: KafkaConnection, topics: list[str]) -> AsyncIterator[AIOKafkaConsumer]:
    reader = AIOKafkaConsumer(
        **kafka.client_kwargs(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await reader.start()
    try:
        cluster = await reader._client.fetch_all_metadata()  # the public API knows only subscribed topics
        partitions = []
        for topic in topics:
            numbers = cluster.partitions_for_topic(topic)
            if numbers is None:
                raise LookupError(f"topic {topic} does not exist")
            partitions += [TopicPartition(topic, number) for number in sorted(numbers)]
        reader.assign(partitions)
        starts = await reader.beginning_offsets(partitions)
        deleted = {f"{tp.topic}/{tp.partition}": offset for tp, offset in starts.items() if offset > 0}
        if deleted:
            raise HistoryMissing(f"partitions no longer start at offset 0: {deleted}")
        await reader.seek_to_beginning(*partitions)
        yield reader
    finally:
        await reader.stop()


@contextlib.asynccontextmanager
async def _rebuild_lock(pool: asyncpg.Pool, name: str) -> AsyncIterator[None]:
    """A session lock on a connection held for the whole rebuild: a crashed rebuild lets go."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"projection-rebuild:{name}"):
            raise RebuildRunning(f"projection {name} is being rebuilt elsewhere")
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"projection-rebuild:{name}")


async def _leftovers(conn: Connection, projection: Projection[Any], keep: int) -> list[str]:
    """Physical tables of generations other than `keep` (a crashed rebuild's, or the swapped-out one)."""
    names = [table.name for table in projection.tables]
    rows = await conn.fetch(
        """SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
            AND tablename ~ ('^(' || array_to_string($1::text[], '|') || ')_g[0-9]+$')""",
        names,
    )
    live = set(projection.names(keep).values())
    return [row[0] for row in rows if row[0] not in live]


async def rebuild(
    projection: Projection[Any],
    *,
    pool: asyncpg.Pool,
    kafka: KafkaConnection,
    topic: Callable[[str], str] = str,
    on_progress: OnProgress | None = None,
) -> int:
    """Rebuild `projection` from offset 0 and swap it in; the new live generation.

    `topic` maps a topic's name to the one on the broker (the settings' prefix).
    """
    async with _rebuild_lock(pool, projection.name):
        live = await live_generation(pool, projection)
        generation = live + 1
        scope = f"{projection.name}#g{generation}"
        async with pool.acquire() as conn, conn.transaction():
            for leftover in await _leftovers(conn, projection, live):
                await conn.execute(f"DROP TABLE {leftover}")
            await create_tables(conn, projection, generation)
            await conn.execute("DELETE FROM projection_checkpoints WHERE projection = $1 AND generation = $2",
                               projection.name, generation)  # fmt: skip
            await conn.execute("DELETE FROM inbox WHERE consumer = $1", scope)
        names = [topic(t.name) for t in projection.topics]
        async with _reader(kafka, names) as reader:
            watermarks = await reader.end_offsets(list(reader.assignment()))
            replay = _Replay(projection, reader, generation, scope, sum(watermarks.values()), on_progress)
            started = time.monotonic()
            await replay.until(watermarks, pool, "replay")
            # The live consumer went on meanwhile: catch up to it without holding it up...
            await replay.until(_as_offsets(await checkpoints(pool, projection.name, live)), pool, "catch-up")
            async with pool.acquire() as conn, conn.transaction():
                # ...then hold it (its transactions lock this row FOR SHARE) for the last few.
                await conn.execute("SELECT 1 FROM projections WHERE name = $1 FOR UPDATE", projection.name)
                await replay.until(_as_offsets(await checkpoints(conn, projection.name, live)), pool, "swap", conn)
                await point_views(conn, projection, generation)
                await conn.execute(
                    """UPDATE projections SET generation = $2, fingerprint = $3, rebuilt_at = now(), updated_at = now()
                        WHERE name = $1""",
                    projection.name,
                    generation,
                    projection.fingerprint,
                )
        # Readers have moved to the new views; dropping waits for any still on the old tables.
        async with pool.acquire() as conn, conn.transaction():
            for leftover in await _leftovers(conn, projection, generation):
                await conn.execute(f"DROP TABLE {leftover}")
            await conn.execute("DELETE FROM projection_checkpoints WHERE projection = $1 AND generation <> $2",
                               projection.name, generation)  # fmt: skip
            await conn.execute("DELETE FROM inbox WHERE consumer = $1", scope)
        log.info(
            "projection.rebuilt",
            projection=projection.name,
            generation=generation,
            records=replay.read,
            seconds=round(time.monotonic() - started, 3),
        )
        if on_progress:
            await on_progress(Progress(projection.name, "swapped", replay.read, replay.total, generation))
        return generation


def _as_offsets(done: Mapping[tuple[str, int], int]) -> dict[TopicPartition, int]:
    return {TopicPartition(topic, partition): offset for (topic, partition), offset in done.items()}
