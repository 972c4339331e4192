"""relay_lag_seconds while a long transaction holds the xmin horizon back (ADR 0002, issue 8 defect 4)."""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import orjson

from casekit.envelope import EventMeta
from devstack.stack import Stack
from tests.casekit.kafka_rig import Noted, Rig, producer_on, read_topic, rig
from tests.conftest import eventually


def lag(r: Rig) -> float:
    return float(r.metrics.relay_lag._value.get())


def published(r: Rig) -> float:
    return float(r.metrics.events_published.labels(r.topic)._value.get())


async def test_the_relay_lag_grows_while_an_open_transaction_hides_a_committed_event(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    case = uuid4()
    meta = EventMeta(actor="tester", correlation_id=case)
    async with (
        rig(pool, stack.kafka_admin, prefix) as r,
        producer_on(stack.kafka_admin) as producer,
        pool.acquire() as holder,
    ):
        held = holder.transaction()
        await held.start()
        # An append left open: its transaction id is now the oldest running one, the fence.
        await r.store.append("s-held", [Noted(case_id=case, text="held")], meta=meta, expected_version=0, conn=holder)
        await r.store.append("s-after", [Noted(case_id=case, text="after")], meta=meta, expected_version=0)
        await r.relay(producer)

        async def lagging() -> float:
            assert lag(r) > 0
            return lag(r)

        first = await eventually(lagging)

        async def growing() -> None:
            assert lag(r) > first

        await eventually(growing)
        assert published(r) == 0, "the relay must not publish past the open transaction"

        await held.commit()

        async def caught_up() -> None:
            assert published(r) == 2
            assert lag(r) == 0

        await eventually(caught_up)
        records = await read_topic(stack.kafka_admin, r.topic, expected=2)

    assert sorted(orjson.loads(record.value)["text"] for record in records) == ["after", "held"]
