"""The outbox relay against real PostgreSQL and a real Kafka broker."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import orjson

from casekit.envelope import EventMeta, RecordedEvent
from devstack.stack import Stack
from tests.casekit.kafka_rig import Noted, effects, producer_on, read_topic, rig
from tests.conftest import eventually


class SimulatedCrash(BaseException):
    """Escapes every `except Exception`, as a killed process would."""


async def test_relay_publishes_in_order_keyed_by_case_with_cloudevents_headers(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    case = uuid4()
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        await r.store.append(
            "s-1",
            [Noted(case_id=case, text=str(i)) for i in range(5)],
            meta=EventMeta(actor="tester", correlation_id=case),
            expected_version=0,
        )
        await r.relay(producer)
        records = await read_topic(stack.kafka_admin, r.topic, expected=5)

    assert [orjson.loads(record.value) for record in records] == [
        {"case_id": str(case), "text": str(i)} for i in range(5)
    ]
    assert {record.key for record in records} == {str(case).encode()}
    headers = dict(records[0].headers)
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"test.Noted"
    assert headers["ce_source"] == b"/test/rig"
    assert headers["ce_subject"] == str(case).encode()
    assert headers["content-type"] == b"application/json"
    assert headers["traceparent"].startswith(b"00-")
    assert len({dict(record.headers)["ce_id"] for record in records}) == 5


async def test_a_relay_crash_between_publish_and_record_duplicates_and_the_inbox_ignores_it(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    case = uuid4()

    async def crash(_: list[RecordedEvent]) -> None:
        raise SimulatedCrash

    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        await r.store.append(
            "s-2",
            [Noted(case_id=case, text=t) for t in "abc"],
            meta=EventMeta(actor="tester", correlation_id=case),
            expected_version=0,
        )
        await r.relay(producer, after_publish=crash)
        crashed = r.tasks[-1]
        await asyncio.wait([crashed], timeout=20)
        published_once = await read_topic(stack.kafka_admin, r.topic, expected=3)

        await r.relay(producer)  # the next instance starts from the unrecorded position
        await r.consumer(producer)
        published = await read_topic(stack.kafka_admin, r.topic, expected=6)

        async def handled_once_each() -> None:
            assert await effects(pool) == ["a", "b", "c"]
            assert r.metrics.messages_consumed.labels(r.topic, "duplicate")._value.get() == 3

        await eventually(handled_once_each)

    assert isinstance(crashed.exception(), SimulatedCrash)
    assert len(published_once) == 3
    assert sorted(dict(m.headers)["ce_id"] for m in published) == sorted(
        2 * [dict(m.headers)["ce_id"] for m in published_once]
    )


async def test_the_relay_publishes_nothing_that_breaks_the_contract(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    case = uuid4()
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        # As a buggy release or a hand-written row would: `text` must be a string.
        await pool.execute(
            "SELECT append_events('s-bad', 0, ARRAY[$1::uuid], ARRAY['test.Noted'], ARRAY[1], ARRAY[now()],"
            " ARRAY[$2::jsonb], 'tester', $3, NULL, NULL, NULL)",
            uuid4(),
            orjson.dumps({"case_id": str(case), "text": 42}).decode(),
            case,
        )
        await r.relay(producer)

        async def refused() -> None:
            assert r.metrics.relay_errors._value.get() >= 1

        await eventually(refused)
        checkpoint = await pool.fetchval("SELECT count(*) FROM relay_checkpoints")

    assert checkpoint == 0, "the relay must not move past an event it could not publish"
    assert r.metrics.events_published.labels(r.topic)._value.get() == 0
