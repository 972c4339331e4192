"""casekit.decider: load, decide, append, and the state after; a new stream skips the read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import uuid4

import asyncpg
import pytest

from casekit.decider import Decider, handle_and_fold
from casekit.envelope import EventMeta
from casekit.errors import ConcurrencyError
from casekit.eventstore import EventStore
from tests.casekit.kafka_rig import TYPES, Noted

NOTES: Decider[tuple[str, ...], Noted] = Decider(initial=(), evolve=lambda s, e: (*s, e.text), events=(Noted,))


def note(text: str) -> Callable[[tuple[str, ...]], Sequence[Noted]]:
    def decide(state: tuple[str, ...]) -> Sequence[Noted]:
        return [Noted(case_id=CASE, text=f"{text} after {len(state)}")]

    return decide


CASE = uuid4()


async def test_the_state_after_folds_the_new_events_onto_the_history(pool: asyncpg.Pool) -> None:
    store, meta = EventStore(pool, TYPES), EventMeta("test")

    first = await handle_and_fold(store, "notes-1", NOTES, note("a"), meta, new_stream=True)
    second = await handle_and_fold(store, "notes-1", NOTES, note("b"), meta)

    assert (first.before, first.after, first.version) == ((), ("a after 0",), 1)
    assert (second.before, second.after, second.version) == (("a after 0",), ("a after 0", "b after 1"), 2)


async def test_a_new_stream_that_already_exists_is_refused_not_overwritten(pool: asyncpg.Pool) -> None:
    store, meta = EventStore(pool, TYPES), EventMeta("test")
    await handle_and_fold(store, "notes-2", NOTES, note("a"), meta, new_stream=True)

    with pytest.raises(ConcurrencyError):
        await handle_and_fold(store, "notes-2", NOTES, note("again"), meta, new_stream=True)

    assert [e.text for e in (await store.read_stream("notes-2")).events] == ["a after 0"]  # type: ignore[attr-defined]
