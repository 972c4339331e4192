"""The 12345 hotline's decisions on a work order's return and extension, acted on as `system:hotline`.

Intake records them on `cases.intake.v1` (HotlineReturnDecided, HotlineExtensionDecided) for the
case the work order is; Dispatch decides on what waits. A decision with nothing waiting (a
redelivery past the inbox, a request a reassignment made moot, a case that is no work order)
records nothing and says so in the log: it will never pass, and retrying it would change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from casekit.logs import get_logger
from schemas.base import Event
from schemas.hotline import HotlineExtensionDecided, HotlineReturnDecided
from services.dispatch.application.commands import masked_text, run
from services.dispatch.application.context import Dispatch
from services.dispatch.domain.assignment import Act, Assignment, decide_extension
from services.dispatch.domain.work_order import HOTLINE, decide_return_decision, work_order_no

log = get_logger("dispatch")


async def on_hotline_return_decided(
    event: HotlineReturnDecided, dispatch: Dispatch, meta: EventMeta, conn: Connection
) -> None:
    """改派: returned and re-routed without the returners; 驳回: the unit keeps the case."""

    def decided(state: Assignment) -> Sequence[Event]:
        return decide_return_decision(state, _act(dispatch, event), dispatch.rules, event.approved)

    await _decide(dispatch, event, "return", decided, meta, conn)


async def on_hotline_extension_decided(
    event: HotlineExtensionDecided, dispatch: Dispatch, meta: EventMeta, conn: Connection
) -> None:
    """延期审核: approved until the due time the hotline grants, or refused."""

    def decided(state: Assignment) -> Sequence[Event]:
        if state.pending_extension is None or state.lead is None or work_order_no(state) is None:
            return []
        return decide_extension(state, _act(dispatch, event), event.approved, _utc(event.new_due_at))

    await _decide(dispatch, event, "extension", decided, meta, conn)


def _act(dispatch: Dispatch, event: HotlineReturnDecided | HotlineExtensionDecided) -> Act:
    # Recorded when Dispatch acts on it: a re-route's sign-for clock starts now, not when the hotline decided.
    return Act(event.case_id, HOTLINE, utc_now(), note=masked_text(dispatch, event.opinion))


def _utc(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at else None


async def _decide(
    dispatch: Dispatch,
    event: HotlineReturnDecided | HotlineExtensionDecided,
    what: str,
    decide: Callable[[Assignment], Sequence[Event]],
    meta: EventMeta,
    conn: Connection,
) -> None:
    handled = await run(dispatch, event.case_id, decide, replace(meta, actor=HOTLINE).for_case(event.case_id), conn)
    if not handled.events:
        log.warning(f"hotline.{what}_decision.nothing_waiting", case_id=str(event.case_id),
                    work_order_no=event.work_order_no, approved=event.approved)  # fmt: skip
