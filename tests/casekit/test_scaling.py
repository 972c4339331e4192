"""Several instances of a service: consumers share partitions, one relay publishes."""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import orjson

from casekit.envelope import EventMeta
from devstack.stack import Stack
from tests.casekit.kafka_rig import Noted, effects, producer_on, read_topic, rig
from tests.conftest import eventually

LEASES = """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


async def test_two_consumers_in_one_group_split_the_partitions_and_handle_each_event_once(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    texts = [f"{i:02}" for i in range(30)]
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        first = await r.consumer(producer)
        second = await r.consumer(producer)
        await r.relay(producer)
        for text in texts:
            case = uuid4()  # a key per case, so the events spread over all three partitions
            await r.store.append(
                f"case-{text}", [Noted(case_id=case, text=text)], meta=EventMeta("t", case), expected_version=0
            )

        async def all_handled_once() -> None:
            assert await effects(pool) == texts

        await eventually(all_handled_once, within=40)
        assigned = [first.kafka.assignment(), second.kafka.assignment()]

    assert all(assigned), "both members own partitions after the rebalance"
    assert not assigned[0] & assigned[1]


async def test_only_one_relay_instance_publishes_at_a_time(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    case = uuid4()
    async with rig(pool, stack.kafka_admin, prefix) as r, producer_on(stack.kafka_admin) as producer:
        for _ in range(3):
            await r.relay(producer)
        await r.store.append(
            "s", [Noted(case_id=case, text=str(i)) for i in range(50)], meta=EventMeta("t", case), expected_version=0
        )
        records = await read_topic(stack.kafka_admin, r.topic, expected=50)

        async def one_lease() -> None:
            assert await pool.fetchval(LEASES) == 1

        await eventually(one_lease)

    assert sorted(int(orjson.loads(m.value)["text"]) for m in records) == list(range(50))
