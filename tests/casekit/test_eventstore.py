"""The event store against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import ClassVar
from uuid import UUID, uuid4

import asyncpg
import pytest

from casekit.envelope import EventMeta, Position
from casekit.errors import AppendOrderError, ConcurrencyError
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from schemas.base import Event


class Noted(Event):
    type: ClassVar[str] = "test.Noted"
    text: str


TYPES = EventTypes([Noted])
META = EventMeta.by("tester")


def noted(case_id: UUID, text: str) -> Noted:
    return Noted(case_id=case_id, text=text)


@pytest.fixture
def store(pool: asyncpg.Pool) -> EventStore:
    return EventStore(pool, TYPES)


async def test_appended_events_read_back_in_version_order(store: EventStore) -> None:
    case = uuid4()
    version = await store.append(
        "note-1", [noted(case, "a"), noted(case, "b")], meta=META.for_case(case), expected_version=0
    )
    version = await store.append("note-1", [noted(case, "c")], meta=META, expected_version=version)

    stream = await store.read_stream("note-1")

    assert version == 3
    assert stream.version == 3
    assert [event.text for event in stream.events] == ["a", "b", "c"]  # type: ignore[attr-defined]


async def test_recorded_events_carry_their_metadata(store: EventStore) -> None:
    case, cause = uuid4(), uuid4()
    meta = EventMeta(
        actor="grid:G7",
        correlation_id=case,
        causation_id=cause,
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    await store.append("note-2", [noted(case, "x")], meta=meta, expected_version=0)

    [recorded] = await store.read_recorded("note-2")

    assert (recorded.actor, recorded.correlation_id, recorded.causation_id) == ("grid:G7", case, cause)
    assert recorded.traceparent == meta.traceparent
    assert (recorded.type, recorded.schema_version, recorded.version) == ("test.Noted", 1, 1)
    assert recorded.recorded_at >= recorded.occurred_at


async def test_recorded_instants_and_ids_are_exact(store: EventStore, pool: asyncpg.Pool) -> None:
    case = uuid4()
    await store.append("note-9", [noted(case, "t")], meta=META.for_case(case), expected_version=0)

    [recorded] = await store.read_recorded("note-9")
    stored = await pool.fetchrow("SELECT event_id, occurred_at, recorded_at FROM events WHERE stream_id = 'note-9'")

    assert stored is not None
    assert (recorded.event_id, recorded.occurred_at, recorded.recorded_at) == tuple(stored)  # to the microsecond
    assert (recorded.correlation_id, recorded.causation_id) == (case, None)


async def test_append_at_a_stale_version_is_a_conflict(store: EventStore) -> None:
    case = uuid4()
    await store.append("note-3", [noted(case, "first")], meta=META, expected_version=0)

    with pytest.raises(ConcurrencyError):
        await store.append("note-3", [noted(case, "second")], meta=META, expected_version=0)
    assert [e.text for e in (await store.read_stream("note-3")).events] == ["first"]  # type: ignore[attr-defined]


async def test_append_ahead_of_the_stream_is_a_conflict_and_writes_nothing(store: EventStore) -> None:
    case = uuid4()
    await store.append("note-7", [noted(case, "first")], meta=META, expected_version=0)

    with pytest.raises(ConcurrencyError, match="at version 1, not 3"):
        await store.append("note-7", [noted(case, "x"), noted(case, "y")], meta=META, expected_version=3)
    assert (await store.read_stream("note-7")).version == 1


async def test_a_batch_is_stored_event_by_event_as_each_serialises(store: EventStore) -> None:
    case = uuid4()
    events = [noted(case, f"n{i} “引号” \u0001") for i in range(3)]
    await store.append("note-8", events, meta=META, expected_version=0)

    recorded = await store.read_recorded("note-8")

    assert [json.loads(r.data) for r in recorded] == [json.loads(e.model_dump_json()) for e in events]
    assert [r.version for r in recorded] == [1, 2, 3]
    assert len({r.event_id for r in recorded}) == 3


async def test_racing_appends_at_the_same_version_have_one_winner(store: EventStore) -> None:
    case = uuid4()
    results = await asyncio.gather(
        *(store.append("note-4", [noted(case, str(i))], meta=META, expected_version=0) for i in range(8)),
        return_exceptions=True,
    )

    assert results.count(1) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if r != 1)
    assert (await store.read_stream("note-4")).version == 1


async def test_events_cannot_be_updated_or_deleted(store: EventStore, pool: asyncpg.Pool) -> None:
    await store.append("note-5", [noted(uuid4(), "kept")], meta=META, expected_version=0)

    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await pool.execute("UPDATE events SET actor = 'forger'")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await pool.execute("DELETE FROM events")


async def test_an_append_after_another_write_in_its_transaction_is_refused(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("INSERT INTO inbox (consumer, message_id) VALUES ('c', 'm')")
        with pytest.raises(AppendOrderError):
            await store.append("note-6", [noted(uuid4(), "late")], meta=META, expected_version=0, conn=conn)


async def test_reader_never_skips_a_transaction_that_commits_after_a_later_one(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    case = uuid4()
    async with pool.acquire() as slow, pool.acquire() as fast:
        slow_tx = slow.transaction()
        await slow_tx.start()
        await store.append("slow", [noted(case, "slow")], meta=META, expected_version=0, conn=slow)
        await store.append("fast", [noted(case, "fast")], meta=META, expected_version=0, conn=fast)

        # "fast" has committed, but "slow" began first and is still open: reading "fast"
        # now would move a reader past "slow" for ever.
        assert await store.read_all(Position()) == []

        await slow_tx.commit()

    events = await store.read_all(Position())
    assert [event.stream_id for event in events] == ["slow", "fast"]
    assert await store.read_all(events[-1].position) == []


async def test_read_all_pages_through_every_event_once(store: EventStore) -> None:
    case = uuid4()
    for stream in range(5):
        await store.append(
            f"page-{stream}", [noted(case, f"{stream}.{i}") for i in range(7)], meta=META, expected_version=0
        )

    seen: list[str] = []
    position = Position()
    while page := await store.read_all(position, limit=4):
        seen.extend(f"{event.stream_id}@{event.version}" for event in page)
        position = page[-1].position

    assert len(seen) == 35
    assert len(set(seen)) == 35
