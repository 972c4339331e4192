"""Dispatch's use cases: take in a case from Intake, and every action a person takes on it.

Each runs load → check who may → decide → append, then writes the read model row and owes its
timers in the same transaction, so the list a unit sees and the deadlines never disagree with
the events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any
from uuid import UUID

from casekit.access.principal import Principal
from casekit.decider import Handled, handle_and_fold
from casekit.envelope import EventMeta, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection
from casekit.masking import masked
from schemas.base import Event
from schemas.dispatch import AssignmentOpened, ConfirmationRequested
from schemas.intake import Place, ReportReceived
from services.dispatch.application import timers
from services.dispatch.application.context import Dispatch
from services.dispatch.application.ports import AssignmentRow
from services.dispatch.application.summons import owe_report_in_timers, whistle_summons
from services.dispatch.domain.assignment import (
    DECIDER,
    Act,
    Assignment,
    Open,
    decide_flag_confirmation,
    decide_open,
    stream_id,
)

Decide = Callable[[Assignment], Sequence[Event]]
Check = Callable[[Principal, Assignment], str | None]
"""Refuses a caller who may not act on this case (Forbidden); answers the unit they act for, if any."""


async def open_assignment(event: ReportReceived, dispatch: Dispatch, meta: EventMeta, conn: Connection) -> None:
    """A new case from Intake: confirm it first, record a self-disposal, or route it.

    A 12345 work order keeps the hotline's terms: its urgency (紧急程度) over the category's, its due
    time as the reply's (in UTC), its number for the decisions the hotline sends back.
    """
    category = dispatch.city.category(event.category_code)
    hotline = event.hotline
    urgency = hotline.urgency if hotline else category.urgency if category else "normal"
    opened = AssignmentOpened(
        case_id=event.case_id, case_number=event.case_number, channel=event.channel,
        category_code=event.category_code, urgency=urgency, place=event.place or _place_of(dispatch, event),
        location=event.location, received_at=event.received_at, opened_at=utc_now(),
        reply_due_at=hotline.due_at.astimezone(UTC) if hotline else None,
        work_order_no=hotline.work_order_no if hotline else None,
    )  # fmt: skip
    cmd = Open(
        opened, event.needs_confirmation, event.self_disposed, event.self_disposal_photo_url, event.self_disposed_by,
        own_powers_unit=event.own_powers_unit,
    )  # fmt: skip
    whistle = whistle_summons(event, dispatch, meta.actor, opened.opened_at)  # 吹哨: [] without a whistle
    await run(dispatch, event.case_id, lambda state: [*decide_open(state, cmd, dispatch.rules), *whistle], meta,
               conn, new_stream=True)  # fmt: skip


def _place_of(dispatch: Dispatch, event: ReportReceived) -> Place | None:
    """Intake places what it can; a report it could not place is placed here if it has a point."""
    if event.location is None:
        return None
    place = dispatch.city.locate(event.location.lat, event.location.lon)
    return None if place is None else Place.model_validate(place, from_attributes=True)


async def act(
    dispatch: Dispatch,
    conn: Connection,
    case_id: UUID,
    caller: Principal,
    check: Check,
    decide: Callable[[Assignment, Act], Sequence[Event]],
    note: str | None = None,
) -> AssignmentRow:
    """One person's action on a case: `check` refuses callers who may not (403), `decide` the rest (409)."""

    def decided(state: Assignment) -> Sequence[Event]:
        if state.opened is None:
            raise NotFound(f"no case {case_id} in Dispatch")
        return decide(state, Act(case_id, caller.actor, utc_now(), check(caller, state), masked_text(dispatch, note)))

    meta = EventMeta.traced(caller.actor).for_case(case_id)
    async with conn.transaction():
        await run(dispatch, case_id, decided, meta, conn)
        row = await dispatch.assignments.get(conn, case_id)
    assert row is not None  # just written
    return row


def masked_text(dispatch: Dispatch, text: str | None) -> str | None:
    """Free text goes to Kafka and Analytics: phones and ID numbers typed into it are masked first."""
    return masked(text, dispatch.city.jurisdictions.keys())


async def run(
    dispatch: Dispatch, case_id: UUID, decide: Decide, meta: EventMeta, conn: Connection, *, new_stream: bool = False
) -> Handled[Assignment, Event]:
    """Decide on the case's stream and append, with its read model row and its timers."""
    handled = await handle_and_fold(
        dispatch.store, stream_id(case_id), DECIDER, decide, meta, conn, new_stream=new_stream
    )
    if handled.events:
        await dispatch.assignments.save(conn, case_id, handled.after, utc_now())
        await _owe_timers(conn, handled.events)
        dispatch.observe(handled.events)
    return handled


async def _owe_timers(conn: Connection, events: Sequence[Event]) -> None:
    for event in events:
        if isinstance(event, ConfirmationRequested):
            await timers.schedule(conn, "confirmation_due", event.case_id, event.due_at, str(event.case_id))
    await owe_report_in_timers(conn, events)


async def on_confirmation_due(payload: Any, dispatch: Dispatch, conn: Connection) -> None:
    """The confirmation timer: flag the case if it is still unconfirmed."""
    case_id = UUID(payload["case_id"])
    meta = EventMeta.traced(timers.ACTOR).for_case(case_id)
    await run(dispatch, case_id, lambda state: decide_flag_confirmation(state, case_id, utc_now()), meta, conn)


async def read_assignment(
    dispatch: Dispatch, conn: Connection, case_id: UUID
) -> tuple[Assignment, AssignmentRow, Sequence[Event]]:
    """The case's state (for the access check), its row and its events."""
    history = await dispatch.store.read_stream(stream_id(case_id), conn=conn)
    state = DECIDER.fold(history.events)
    row = await dispatch.assignments.get(conn, case_id)
    if state.opened is None or row is None:
        raise NotFound(f"no case {case_id} in Dispatch")
    return state, row, history.events
