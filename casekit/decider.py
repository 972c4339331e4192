"""Load, decide, append: the one command handler every aggregate uses."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from casekit.envelope import EventMeta
from casekit.errors import ConcurrencyError
from casekit.eventstore import Connection, EventStore
from schemas.base import Event

S = TypeVar("S")
E = TypeVar("E", bound=Event)
T = TypeVar("T")

CONFLICT_ATTEMPTS = 3
"""A command decided again this often when another append to its stream won the race."""


@dataclass(frozen=True)
class Decider(Generic[S, E]):
    """An aggregate as two pure functions: `decide` (per command) and `evolve`."""

    initial: S
    evolve: Callable[[S, E], S]
    events: tuple[type[E], ...]

    def fold(self, history: Sequence[Event]) -> S:
        return functools.reduce(self._evolve_known, history, self.initial)

    def _evolve_known(self, state: S, event: Event) -> S:
        if not isinstance(event, self.events):
            raise TypeError(f"{type(event).__name__} does not belong to this aggregate")
        return self.evolve(state, event)


@dataclass(frozen=True)
class Handled(Generic[S, E]):
    """What one command did: the state it met, the events it appended, the state they make."""

    before: S
    events: Sequence[E]
    after: S
    version: int


async def handle(
    store: EventStore,
    stream_id: str,
    decider: Decider[S, E],
    decide: Callable[[S], Sequence[E]],
    meta: EventMeta,
    conn: Connection | None = None,
) -> int:
    """Decide against the current state and append at the version read."""
    return (await handle_and_fold(store, stream_id, decider, decide, meta, conn)).version


async def handle_and_fold(
    store: EventStore,
    stream_id: str,
    decider: Decider[S, E],
    decide: Callable[[S], Sequence[E]],
    meta: EventMeta,
    conn: Connection | None = None,
    *,
    new_stream: bool = False,
) -> Handled[S, E]:
    """`handle`, also answering the state after: for a read model written in the same transaction.

    `new_stream`: the command starts its stream (a case's first event, once per inbound message by
    the inbox), so nothing is read; the append at version 0 still refuses a stream that exists.
    """
    if new_stream:
        before, expected = decider.initial, 0
    else:
        history = await store.read_stream(stream_id, conn=conn)
        before, expected = decider.fold(history.events), history.version
    events = decide(before)
    # Someone appended since we read -> ConcurrencyError (409 or retry), never overwrite.
    version = await store.append(stream_id, events, meta=meta, expected_version=expected, conn=conn)
    return Handled(before, events, functools.reduce(decider.evolve, events, before), version)


async def retry_on_conflict(work: Callable[[], Awaitable[T]], attempts: int = CONFLICT_ATTEMPTS) -> T:
    """`work` (a load-decide-append in its own transaction) again when a concurrent append to its stream
    won: it decides afresh on the stream as it is now, which re-checks everything. The last conflict
    is raised (409)."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except ConcurrencyError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
