"""What Closure does when other services' events arrive: Dispatch's case numbers, routing, returns, approvals."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.dispatch import (
    AssignmentOpened,
    CaseReturned,
    CaseRouted,
    CaseSignedFor,
    ExtensionApproved,
    ParkApproved,
    SelfDisposalRecorded,
)
from services.closure.application.commands import run
from services.closure.application.context import Closure
from services.closure.domain.closure import Act, CaseClosure
from services.closure.domain.side_paths import (
    decide_extend,
    decide_park,
    decide_returned,
    decide_routed,
    decide_self_disposal,
    decide_signed_for,
)


async def _react(closure: Closure, event: Event, decide: Callable[[CaseClosure], Sequence[Event]], meta: EventMeta,
                 conn: Connection) -> None:  # fmt: skip
    await run(closure, event.case_id, decide, meta.for_case(event.case_id), conn)


async def on_assignment_opened(event: AssignmentOpened, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """案件编号 (and a 12345 work order's 工单编号): Dispatch took the case in; its numbers are kept before the
    case is routed (same key, in order)."""
    if event.case_number is not None or event.work_order_no is not None:
        await closure.numbers.note(conn, event.case_id, event.case_number, event.work_order_no)


async def on_case_routed(event: CaseRouted, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """A case has its unit: open the record that tracks disposal (and a work order's reply), or move it."""
    number, work_order_no = await closure.numbers.numbers_of(conn, event.case_id)
    await _react(closure, event, lambda state: decide_routed(state, event, closure.rules, number, work_order_no),
                 meta, conn)  # fmt: skip


async def on_self_disposal(event: SelfDisposalRecorded, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """自行处置: open the record already disposed; someone else must verify it."""
    number = await closure.numbers.number_of(conn, event.case_id)
    await _react(closure, event, lambda state: decide_self_disposal(state, event, closure.rules, number), meta, conn)


async def on_case_returned(event: CaseReturned, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    await _react(closure, event, lambda state: decide_returned(state, event), meta, conn)


async def on_case_signed_for(event: CaseSignedFor, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    await _react(closure, event, lambda state: decide_signed_for(state, event), meta, conn)


async def on_park_approved(event: ParkApproved, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """挂账批准 in Dispatch: the clocks stop, with the approver and reason recorded."""
    act = Act(event.case_id, event.decided_by, event.decided_at, note=event.reason)
    await _react(closure, event, lambda state: decide_park(state, act, "dispatch"), meta, conn)


async def on_extension_approved(event: ExtensionApproved, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """延期批准 in Dispatch (or by the hotline): the disposal deadline moves by the approved working days, a work
    order's reply deadline to the due time the hotline granted."""
    act = Act(event.case_id, event.decided_by, event.decided_at, note=event.note)
    await _react(closure, event, lambda state: decide_extend(state, act, event.days, "dispatch", closure.rules,
                                                             event.new_reply_due_at), meta, conn)  # fmt: skip
