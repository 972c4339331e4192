"""Closure's use cases: every person's action on a case, and the timers' decisions.

Each runs load → check who may → decide → append, then writes the read model row and makes the
timers follow the deadlines in the same transaction, so a work list and the timers never
disagree with the events.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from casekit.access.principal import Principal
from casekit.decider import Handled, handle_and_fold, retry_on_conflict
from casekit.envelope import EventMeta, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.closure import Stage
from services.closure.application import timers
from services.closure.application.context import Closure
from services.closure.application.ports import CaseRow
from services.closure.domain.closure import DECIDER, Act, CaseClosure, stream_id
from services.closure.domain.side_paths import decide_escalate, decide_overdue, decide_warn

Decide = Callable[[CaseClosure], Sequence[Event]]
Check = Callable[[Principal, CaseClosure], str | None]
"""Refuses a caller who may not act on this case (Forbidden); answers the unit they act for, if any."""


async def act(
    closure: Closure,
    conn: Connection,
    case_id: UUID,
    caller: Principal,
    check: Check,
    decide: Callable[[CaseClosure, Act], Sequence[Event]],
    note: str | None = None,
) -> CaseRow:
    """One person's action on a case: `check` refuses callers who may not (403), `decide` the rest (409)."""

    def decided(state: CaseClosure) -> Sequence[Event]:
        if state.status == "new":
            raise NotFound(f"no case {case_id} in Closure")
        return decide(state, Act(case_id, caller.actor, utc_now(), check(caller, state), closure.masked(note)))

    meta = EventMeta.traced(caller.actor).for_case(case_id)

    async def attempt() -> CaseRow | None:
        # Dispatch's sign-for or a timer's warning may land between our read and our append.
        async with conn.transaction():
            await run(closure, case_id, decided, meta, conn)
            return await closure.cases.get(conn, case_id)

    row = await retry_on_conflict(attempt)
    if row is None:
        raise NotFound(f"no case {case_id} in Closure")
    return row


async def run(
    closure: Closure, case_id: UUID, decide: Decide, meta: EventMeta, conn: Connection
) -> Handled[CaseClosure, Event]:
    """Load, decide, append; then the row and the timers, in the caller's transaction."""
    handled = await handle_and_fold(closure.store, stream_id(case_id), DECIDER, decide, meta, conn)
    if handled.events:
        await closure.cases.save(conn, case_id, handled.after, utc_now())
        await timers.follow(conn, closure.rules, case_id, handled.before, handled.after, handled.events)
        closure.observe(handled.events)
    return handled


TIMER_DECISIONS = {"warn": decide_warn, "overdue": decide_overdue, "escalate": decide_escalate}


def timer_decision(payload: Mapping[str, Any]) -> tuple[UUID, Decide]:
    """The case a warning, overdue or escalation timer is about, and its decision against the case as it is."""
    case_id, stage, kind = UUID(payload["case_id"]), payload["stage"], payload["kind"]
    due_at = datetime.fromisoformat(payload["due_at"])

    def decide(state: CaseClosure) -> Sequence[Event]:
        stage_: Stage = stage
        return TIMER_DECISIONS[kind](state, case_id, stage_, due_at, utc_now())

    return case_id, decide


async def on_timer(payload: Mapping[str, Any], closure: Closure, conn: Connection) -> None:
    """A timer through the general path: decide, append, row and timers in the caller's transaction."""
    case_id, decide = timer_decision(payload)
    await run(closure, case_id, decide, EventMeta.traced(timers.ACTOR).for_case(case_id), conn)


@dataclass(frozen=True)
class TimerDecision:
    """What a timer decided against the case as it is now, before anything is written."""

    case_id: UUID
    version: int
    before: CaseClosure
    events: Sequence[Event]
    after: CaseClosure
    meta: EventMeta


async def decide_timer(payload: Mapping[str, Any], closure: Closure, conn: Connection) -> TimerDecision:
    """`on_timer`'s load and decide, for an adapter that writes the outcome in one statement."""
    case_id, decide = timer_decision(payload)
    history = await closure.store.read_stream(stream_id(case_id), conn=conn)
    before = DECIDER.fold(history.events)
    events = decide(before)
    after = functools.reduce(DECIDER.evolve, events, before)
    return TimerDecision(
        case_id, history.version, before, events, after, EventMeta.traced(timers.ACTOR).for_case(case_id)
    )


async def read_case(closure: Closure, conn: Connection, case_id: UUID) -> tuple[CaseClosure, CaseRow, Sequence[Event]]:
    """The case's state (for the access check), its row and its events."""
    history = await closure.store.read_stream(stream_id(case_id), conn=conn)
    state = DECIDER.fold(history.events)
    row = await closure.cases.get(conn, case_id)
    if state.status == "new" or row is None:
        raise NotFound(f"no case {case_id} in Closure")
    return state, row, history.events
