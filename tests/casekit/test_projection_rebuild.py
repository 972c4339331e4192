"""Rebuilding a projection from offset 0 into shadow tables while the live ones keep answering."""

from __future__ import annotations

import dataclasses

import asyncpg
import pytest

from casekit.projection import checkpoints, ensure, stale
from casekit.projection_rebuild import Progress, RebuildRunning, rebuild
from devstack.stack import Stack
from tests.casekit.test_projection import ProjectionRig, projection_rig
from tests.conftest import eventually


async def fill(rig: ProjectionRig, count: int) -> None:
    """`count` notes over the partitions, a republished duplicate, an unhandled and a poison event."""
    for n in range(count):
        await rig.note(f"note-{n:03}", event_id=f"event-{n:03}")
    await rig.note("note-000", event_id="event-000")
    await rig.note("ignored", event_type="test.Ignored")
    await rig.note("poison", event_type="test.Unheard")


async def run_rebuild(rig: ProjectionRig, on_progress: object = None) -> int:
    return await rebuild(
        rig.projection,
        pool=rig.pool,
        kafka=rig.stack.kafka_admin,
        topic=rig.topic_name,
        on_progress=on_progress,  # type: ignore[arg-type]
    )


async def test_a_rebuild_from_zero_produces_exactly_the_live_tables(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 40)
        await rig.start_consumer()

        async def settled() -> None:
            assert len(await rig.tally()) == 40

        await eventually(settled)
        live = await rig.rows()
        live_positions = await checkpoints(pool, "test.notes", 1)

        assert await run_rebuild(rig) == 2

        assert await rig.rows() == live
        assert await rig.generation() == 2
        rebuilt_positions = await checkpoints(pool, "test.notes", 2)
        # The rebuild's checkpoint also passes the records it skipped (duplicate, unhandled, poison).
        assert rebuilt_positions.keys() == live_positions.keys()
        assert all(rebuilt_positions[tp] >= offset for tp, offset in live_positions.items())
        tables = {row[0] for row in await pool.fetch("SELECT tablename FROM pg_tables WHERE tablename ~ '_g[0-9]+$'")}
        assert tables == {"notes_g2", "tally_g2"}  # the old generation is gone


async def test_the_old_tables_answer_during_a_rebuild(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 30)
        await rig.start_consumer()

        async def settled() -> None:
            assert len(await rig.tally()) == 30

        await eventually(settled)
        live = await rig.rows()
        seen: list[tuple[str, int, int]] = []

        async def query_meanwhile(progress: Progress) -> None:
            if progress.phase != "swapped":
                assert await rig.rows() == live  # readers still get the whole old answer
                shadow = await pool.fetchval("SELECT count(*) FROM tally_g2")
                seen.append((progress.phase, await rig.generation(), shadow))

        await run_rebuild(rig, query_meanwhile)

    assert seen
    assert {generation for _, generation, _ in seen} == {1}
    assert seen[0][0] == "replay"


async def test_events_arriving_during_a_rebuild_are_in_the_result_after_the_swap(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 20)
        await rig.start_consumer()

        async def settled() -> None:
            assert len(await rig.tally()) == 20

        await eventually(settled)

        async def more_arrive(progress: Progress) -> None:
            if progress.phase == "replay" and "late-0" not in await rig.tally():
                for n in range(5):
                    await rig.note(f"late-{n}")

                async def live_has_them() -> None:  # past the watermarks: only the old generation has them
                    assert {f"late-{n}" for n in range(5)} <= set(await rig.tally())

                await eventually(live_has_them)

        await run_rebuild(rig, more_arrive)
        after_swap = await rig.tally()
        await rig.note("after-swap")

        async def carried_on() -> None:
            assert "after-swap" in await rig.tally()

        await eventually(carried_on)
        tally = await rig.tally()

    assert {f"late-{n}" for n in range(5)} <= set(after_swap)
    assert len(tally) == 26
    assert set(tally.values()) == {1}  # nothing applied twice across the handover


async def test_a_consumer_behind_the_rebuild_skips_what_it_applied(
    pool: asyncpg.Pool, stack: Stack, prefix: str
) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 20)
        await run_rebuild(rig)  # no live consumer yet: the rebuild is ahead of the group
        await rig.start_consumer()
        await rig.note("new")

        async def caught_up() -> None:
            assert len(await rig.tally()) == 21
            assert rig.metrics.messages_consumed.labels(rig.topic, "handled")._value.get() >= 21

        await eventually(caught_up)
        tally = await rig.tally()

    assert set(tally.values()) == {1}


async def test_a_second_rebuild_at_once_is_refused(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 5)
        refused: list[Exception] = []

        async def try_another(progress: Progress) -> None:
            if not refused:
                with pytest.raises(RebuildRunning) as second:
                    await run_rebuild(rig)
                refused.append(second.value)

        assert await run_rebuild(rig, try_another) == 2

    assert refused


async def test_a_changed_projection_is_stale_until_rebuilt(pool: asyncpg.Pool, stack: Stack, prefix: str) -> None:
    async with projection_rig(pool, stack, prefix) as rig:
        await fill(rig, 3)
        changed = dataclasses.replace(rig.projection, version=2)
        assert not await stale(pool, rig.projection)

        assert await ensure(pool, changed, rig.group)  # logs the change, keeps the live generation
        assert await rig.generation() == 1
        await rebuild(changed, pool=pool, kafka=stack.kafka_admin, topic=rig.topic_name)

        assert not await stale(pool, changed)
        assert await stale(pool, rig.projection)
