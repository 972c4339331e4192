"""The shared consumer: inbox, dead letters and ordering, against a real broker."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import orjson
from aiokafka.admin import AIOKafkaAdminClient

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


async def committed(stack: Stack, group: str) -> int:
    """How many messages the group's committed offsets account for, over all partitions."""
    admin = AIOKafkaAdminClient(**stack.kafka_admin.client_kwargs())
    await admin.start()
    try:
        return sum(meta.offset for meta in (await admin.list_consumer_group_offsets(group)).values())
    finally:
        await admin.close()


async def test_handled_offsets_are_committed_once_the_topic_goes_quiet_whatever_the_interval(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    # Commits are batched (issue 10: one per handled batch was a broker round trip per message);
    # an interval longer than the test must not leave the offsets of handled messages behind.
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        texts = [f"message {i}" for i in range(12)]
        for i, text in enumerate(texts):
            body, headers = cloudevent("test.Noted", f"event-{i}", noted(text))
            await producer.send_and_wait(r.topic, body, key=f"case-{i}".encode(), headers=headers)
        await r.consumer(producer, commit_seconds=3600)

        async def all_committed() -> None:
            assert sorted(await effects(pool)) == sorted(texts)
            assert await committed(stack, f"{prefix}group") == len(texts)

        await eventually(all_committed)


async def test_a_stopped_consumer_commits_what_it_handled(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    # Messages keep coming, so no fetch comes back empty and the interval never passes: only
    # the stop itself can commit.
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:

        async def keep_sending() -> None:
            for i in range(10_000):
                body, headers = cloudevent("test.Noted", f"event-{i}", noted(f"message {i}"))
                await producer.send_and_wait(r.topic, body, key=f"case-{i}".encode(), headers=headers)
                await asyncio.sleep(0.02)

        sender = asyncio.create_task(keep_sending())
        try:
            consumer = await r.consumer(producer, commit_seconds=3600)

            async def some_handled() -> None:
                assert len(await effects(pool)) >= 5

            await eventually(some_handled)
            await consumer.stop()
            await asyncio.wait_for(r.tasks[-1], 30)
        finally:
            sender.cancel()
        assert await committed(stack, f"{prefix}group") == len(await effects(pool))
