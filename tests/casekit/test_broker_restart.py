"""A broker restart mid-stream loses nothing: its log is durable and the plumbing reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import orjson
import pytest

from casekit.envelope import EventMeta
from devstack.kafka import KafkaBroker
from tests.casekit.kafka_rig import Noted, Rig, effects, producer_on, read_topic, rig
from tests.conftest import eventually


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[KafkaBroker]:
    """A broker of this test's own, so restarting it disturbs no other test."""
    broker = KafkaBroker(tmp_path / "kafka").start()
    yield broker
    broker.stop()


async def append(r: Rig, texts: list[str]) -> None:
    case = uuid4()
    for text in texts:
        await r.store.append(
            f"case-{text}",
            [Noted(case_id=case, text=text)],
            meta=EventMeta(actor="tester", correlation_id=case),
            expected_version=0,
        )


async def test_events_published_around_a_broker_restart_are_all_handled_once(
    pool: asyncpg.Pool, own_broker: KafkaBroker, prefix: str
) -> None:
    before = [f"a{i:02}" for i in range(20)]
    during = [f"b{i:02}" for i in range(20)]
    servers = own_broker.admin
    async with rig(pool, servers, prefix) as r, producer_on(servers) as producer:
        await r.relay(producer)
        await r.consumer(producer)
        await append(r, before)

        async def first_half_handled() -> None:
            assert await effects(pool) == before

        await eventually(first_half_handled)

        await asyncio.to_thread(own_broker.stop)
        await append(r, during)  # accepted while the broker is down: the outbox holds them
        await asyncio.to_thread(own_broker.start)

        async def all_handled() -> None:
            assert await effects(pool) == before + during

        await eventually(all_handled, within=90)
        on_topic = await read_topic(servers, r.topic, expected=40)

    # The log survived the restart: what was published before it is still there, once.
    assert sorted(orjson.loads(record.value)["text"] for record in on_topic) == before + during
