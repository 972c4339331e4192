"""巡查督导 The unpatrolled-grid flag, on casekit's durable jobs: one pending check per watched grid.

A check is owed at the grid's last patrol visit plus its required interval (the watch's start,
before any visit). A finished patrol that visited the grid moves it, in the transaction that
appends `PatrolFinished`. When a check comes due with no visit since, `GridPatrolOverdue` is
appended on the grid's watch stream (`grid-watch-{grid}`), once per due time, in the transaction
that completes the job, and the next check is owed an interval later. Seeding at start owes a
check for each watched grid that has none (again at every start: nothing new), and moves the check
of a grid whose required interval (duty.yaml's `patrol_every`) changed since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from casekit import jobs
from casekit.decider import handle_and_fold
from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.patrol import PatrolFinished
from services.intake.application.context import Intake
from services.intake.domain import grid_watch as g

QUEUE = "intake-grid-watch"
ACTOR = "system:intake"


async def owe_check(conn: Connection, grid_code: str, due_at: datetime) -> None:
    """Owe the grid's check at `due_at`, in the caller's transaction (after its append, if any)."""
    payload = {"grid_code": grid_code, "due_at": due_at.isoformat()}
    await jobs.enqueue(conn, QUEUE, payload, due_at=due_at, key=f"{grid_code}:{due_at.isoformat()}",
                       correlation_id=g.watch_id(grid_code))  # fmt: skip


async def move_watches(conn: Connection, intake: Intake, events: Sequence[Event]) -> None:
    """A finished patrol's visits move the checks of the watched grids it visited."""
    for event in events:
        if not isinstance(event, PatrolFinished):
            continue
        last: dict[str, datetime] = {}
        for visit in event.visits:
            last[visit.grid_code] = max(last.get(visit.grid_code, visit.last_at), visit.last_at)
        for grid_code, at in sorted(last.items()):
            row = await intake.watches.visited(conn, grid_code, at)
            if row is None:  # nobody watches it
                continue
            await jobs.cancel(conn, QUEUE, correlation_id=g.watch_id(grid_code))
            await owe_check(conn, grid_code, g.due_after(row.last_patrolled_at, row.watched_since, row.every))


async def seed_watches(conn: Connection, intake: Intake, now: datetime) -> int:
    """Each watched grid's watch, and a check for those without one; how many checks were owed."""
    owed = 0
    for grid_code, every in sorted(intake.officers.watched_grids().items()):
        async with conn.transaction():
            row, previous = await intake.watches.seed(conn, grid_code, every, now)
            watch = g.watch_id(grid_code)
            if previous is not None and previous != every:  # duty.yaml's patrol_every changed
                await jobs.cancel(conn, QUEUE, correlation_id=watch)
            elif await jobs.find_jobs(conn, QUEUE, correlation_id=watch, states=jobs.LIVE, limit=1):
                continue
            await owe_check(conn, grid_code, g.due_after(row.last_patrolled_at, row.watched_since, row.every))
            owed += 1
    return owed


async def on_check_due(payload: Mapping[str, Any], intake: Intake, conn: Connection, now: datetime) -> None:
    """A check come due, in the transaction that completes its job: flag the grid if nobody patrolled it."""
    grid_code, due_at = str(payload["grid_code"]), datetime.fromisoformat(payload["due_at"])
    row = await intake.watches.get(conn, grid_code)
    if row is None or grid_code not in intake.officers.watched_grids():
        return  # no longer watched: the check ends here
    check = g.Check(grid_code, due_at, row.every, row.last_patrolled_at, row.watched_since, now)
    meta = EventMeta.by(ACTOR).for_case(g.watch_id(grid_code))
    handled = await handle_and_fold(
        intake.store, g.stream_id(grid_code), g.DECIDER, lambda state: g.decide_check(state, check), meta, conn
    )
    intake.observe(handled.events)
    await owe_check(conn, grid_code, g.next_check(check))
