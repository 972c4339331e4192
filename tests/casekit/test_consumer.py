"""The shared consumer: inbox, dead letters and ordering, against a real broker."""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import orjson

from devstack.stack import Stack
from tests.casekit.kafka_rig import effects, producer_on, read_topic, rig
from tests.conftest import eventually


def cloudevent(event_type: str, event_id: str, body: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", event_id.encode()),
        ("ce_source", b"/test"),
        ("ce_type", event_type.encode()),
        ("content-type", b"application/json"),
    ]
    return body, headers


def noted(text: str) -> bytes:
    return orjson.dumps({"case_id": str(uuid4()), "text": text})


async def test_a_redelivered_message_changes_nothing(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        body, headers = cloudevent("test.Noted", "event-1", noted("once"))
        for _ in range(2):
            await producer.send_and_wait(r.topic, body, key=b"case", headers=headers)
        body, headers = cloudevent("test.Noted", "event-2", noted("then"))
        await producer.send_and_wait(r.topic, body, key=b"case", headers=headers)
        await r.consumer(producer)

        async def settled() -> None:
            assert await effects(pool) == ["once", "then"]
            assert r.metrics.messages_consumed.labels(r.topic, "duplicate")._value.get() == 1

        await eventually(settled)


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_moves_on(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    poison = [
        cloudevent("test.Noted", "bad-json", b"{not json"),
        cloudevent("test.Unheard", "bad-type", noted("x")),
        cloudevent("test.Noted", "bad-schema", orjson.dumps({"case_id": str(uuid4()), "text": 7})),
    ]
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        for body, headers in poison:
            await producer.send_and_wait(r.topic, body, key=b"same-case", headers=headers)
        body, headers = cloudevent("test.Noted", "good", noted("after"))
        await producer.send_and_wait(r.topic, body, key=b"same-case", headers=headers)
        await r.consumer(producer)

        parked = await read_topic(stack.kafka_admin, r.dead_letters, expected=3)
        await eventually(lambda: _effects_are(pool, ["after"]))

    reasons = {dict(m.headers)["ce_id"].decode(): dict(m.headers)["dlq_reason"].decode() for m in parked}
    assert "not JSON" in reasons["bad-json"]
    assert "unknown event type 'test.Unheard'" in reasons["bad-type"]
    assert "string_type" in reasons["bad-schema"]
    assert "/text" in reasons["bad-schema"]
    assert [m.value for m in parked] == [body for body, _ in poison]
    assert all(dict(m.headers)["dlq_topic"] == r.topic.encode() for m in parked)
    assert all(m.key == b"same-case" for m in parked)


async def test_valid_events_the_consumer_does_not_handle_are_skipped_not_parked(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        for event_type, event_id, body in (
            ("test.Ignored", "other", b'{"case_id": "x"}'),
            ("test.Noted", "mine", noted("mine")),
        ):
            _, headers = cloudevent(event_type, event_id, body)
            await producer.send_and_wait(r.topic, body, key=b"k", headers=headers)
        await r.consumer(producer)

        await eventually(lambda: _effects_are(pool, ["mine"]))
        assert r.metrics.messages_consumed.labels(r.topic, "ignored")._value.get() == 1
        assert r.metrics.dead_lettered.labels(r.topic)._value.get() == 0


async def _effects_are(pool: asyncpg.Pool, expected: list[str]) -> None:
    assert await effects(pool) == expected
