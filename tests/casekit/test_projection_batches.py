"""A projection's live consumer taking a partition's batch in one transaction (Subscription.batch)."""

from __future__ import annotations

import asyncpg

from casekit.projection import checkpoints
from devstack.stack import Stack
from tests.casekit.test_projection import projection_rig
from tests.conftest import eventually


async def test_a_batch_applies_each_event_once_with_its_duplicates_skipped(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        for n in range(40):
            await rig.note(f"note-{n}", event_id=f"event-{n}", key="same")
        await rig.note("note-3", event_id="event-3", key="same")  # republished within the batch
        await rig.start_consumer(batched=True)

        async def settled() -> None:
            assert await rig.tally() == {f"note-{n}": 1 for n in range(40)}

        await eventually(settled)
        assert rig.metrics.messages_consumed.labels(rig.topic, "duplicate")._value.get() == 1
        assert rig.metrics.messages_consumed.labels(rig.topic, "handled")._value.get() == 40
        ((_, next_offset),) = (await checkpoints(pool, "test.notes", 1)).items()
        assert next_offset == 40  # past the last event applied; the inbox answers for the duplicate after it


async def test_a_refused_event_in_a_batch_is_dead_lettered_and_the_rest_applied_once(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        rig.failing.refused.add("refused")
        for text in ("first", "second", "refused", "fourth"):
            await rig.note(text, event_id=text, key="same")
        await rig.start_consumer(batched=True)

        async def settled() -> None:
            assert await rig.tally() == {"first": 1, "second": 1, "fourth": 1}
            assert rig.metrics.dead_lettered.labels(rig.topic)._value.get() == 1

        await eventually(settled)
        # The refused event's rows went with its transaction; the batch behind it came one by one.
        assert [row[0] for row in (await rig.rows())["notes"]] == ["first", "fourth", "second"]
        ((_, next_offset),) = (await checkpoints(pool, "test.notes", 1)).items()
        assert next_offset == 4


async def test_a_transient_failure_keeps_nothing_of_the_batch_until_it_passes(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        rig.failing.texts.add("boom")
        for text in ("first", "boom", "after"):
            await rig.note(text, event_id=text, key="same")
        await rig.start_consumer(batched=True)

        async def retrying() -> None:
            assert rig.metrics.handler_retries.labels(rig.topic)._value.get() >= 1

        await eventually(retrying)
        assert await rig.tally() == {"first": 1}  # the one-by-one path kept the first, not the batch
        rig.failing.texts.clear()

        async def recovered() -> None:
            assert await rig.tally() == {"first": 1, "boom": 1, "after": 1}

        await eventually(recovered)
