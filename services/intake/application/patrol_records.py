"""What follows a patrol's new events in their transaction: its view row, the watched grids' checks
it moves (巡查督导) and the finish owed if the officer never sends one (巡查超时).

巡查超时: starting a patrol owes one durable job (queue `intake-patrol-timeout`) due
`INTAKE_PATROL_LONGEST_HOURS` after the start was recorded; the officer's finish cancels it in the
same transaction. A job that comes due on a patrol still open appends `PatrolFinished(auto=True)` at
its last point, so a forgotten finish still counts its track for coverage, the work log and the
grids' watches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from casekit import jobs
from casekit.decider import Handled, handle_and_fold
from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.patrol import PatrolFinished, PatrolStarted
from services.intake.application.context import Intake
from services.intake.application.watches import ACTOR, move_watches
from services.intake.domain import patrol as p
from services.intake.domain.patrol import Patrol, PatrolEvent

TIMEOUT_QUEUE = "intake-patrol-timeout"


async def record_patrol_change(
    conn: Connection, intake: Intake, patrol_id: UUID, handled: Handled[Patrol, PatrolEvent]
) -> None:
    if not handled.events:
        return
    await intake.patrols.save(conn, patrol_id, handled.after, days_of(intake, handled.after), utc_now())
    await move_watches(conn, intake, handled.events)
    await _owe_or_cancel_timeout(conn, intake, handled.events)
    intake.observe(handled.events)


def days_of(intake: Intake, state: Patrol) -> list[date]:
    """The city days a patrol counts on: those its visits fall on, or the day it started."""
    days = {visit.day for visit in state.visits}
    if not days and state.started_at is not None:
        days.add(intake.city.local_date(state.started_at))
    return sorted(days)


async def _owe_or_cancel_timeout(conn: Connection, intake: Intake, events: Sequence[Event]) -> None:
    """A started patrol's finish is owed the longest patrol after it was recorded (not after the start the
    device says: a device uploading yesterday's patrol late still has the time to send it all); a
    patrol the officer finished has its job cancelled."""
    for event in events:
        if isinstance(event, PatrolStarted):
            await jobs.enqueue(conn, TIMEOUT_QUEUE, {"patrol_id": str(event.case_id)},
                               due_at=utc_now() + intake.longest_patrol, key=str(event.case_id),
                               correlation_id=event.case_id)  # fmt: skip
        elif isinstance(event, PatrolFinished) and not event.auto:
            await jobs.cancel(conn, TIMEOUT_QUEUE, correlation_id=event.case_id)


async def on_timeout_due(payload: Mapping[str, Any], intake: Intake, conn: Connection) -> None:
    """The longest patrol is over, in the transaction that completes the job: finish it if still open."""
    patrol_id = UUID(str(payload["patrol_id"]))
    meta = EventMeta.by(ACTOR).for_case(patrol_id)
    zone = intake.city.timezone
    handled = await handle_and_fold(intake.store, p.stream_id(patrol_id), p.DECIDER,
                                    lambda state: p.decide_auto_finish(state, patrol_id, zone), meta, conn)  # fmt: skip
    await record_patrol_change(conn, intake, patrol_id, handled)
