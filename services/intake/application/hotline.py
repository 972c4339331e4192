"""The 12345 hotline's use cases (接诉即办, ADR 0017): work orders in, messages out, decisions and notices in.

A work order becomes a hotline report through Intake's one submit path, so a work order pushed
again is the same case. Each event of a work order that the hotline is told of becomes a
`HotlineMessageQueued` on the work order's stream, its deliveries owed in the same transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from casekit.access.principal import Principal
from casekit.decider import handle_and_fold, retry_on_conflict
from casekit.envelope import EventMeta, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection
from schemas.hotline import HotlineMessageQueued, WorkOrder
from services.intake.application.commands import Submitted, external_key, submit_report
from services.intake.application.context import Intake
from services.intake.application.ports import IdempotencyKey
from services.intake.domain import report
from services.intake.domain.hotline import (
    DECIDER,
    HotlineEvent,
    HotlineWorkOrder,
    QueueMessage,
    WorkOrderRef,
    decide_queue,
    stream_id,
)
from services.intake.domain.hotline_messages import as_report, message_body, message_id

C = TypeVar("C")


@dataclass(frozen=True)
class WorkOrderState:
    """A work order as Intake knows it: its case and what waits on the hotline."""

    ref: WorkOrderRef
    state: HotlineWorkOrder


async def push_work_order(order: WorkOrder, intake: Intake, caller: Principal) -> Submitted:
    """派单: the work order as a hotline report; pushed again, the case it opened (`created` False)."""
    meta = EventMeta.traced(caller.actor)
    return await submit_report(as_report(order), intake, meta, client=caller.actor, caller=caller)


async def work_order_of(intake: Intake, conn: Connection, case_id: Any) -> WorkOrderRef | None:
    """The work order a case is, from its Report (a hotline report with the hotline's terms); None if none."""
    history = await intake.store.read_stream(report.stream_id(case_id), conn=conn)
    found = report.DECIDER.fold(history.events)
    if found.work_order_no is None:
        return None
    return WorkOrderRef(case_id, found.work_order_no, found.case_number)


async def find_work_order(intake: Intake, conn: Connection, work_order_no: str) -> WorkOrderState:
    """A work order by its number (工单编号), with its conversation so far; NotFound if unknown."""
    keyed = await intake.submissions.cases_for_keys(conn, [IdempotencyKey(external_key("hotline", work_order_no), "")])
    ref = await work_order_of(intake, conn, keyed[0].case_id) if keyed else None
    if ref is None:
        raise NotFound(f"no work order {work_order_no}")
    history = await intake.store.read_stream(stream_id(ref.case_id), conn=conn)
    return WorkOrderState(ref, DECIDER.fold(history.events))


async def on_hotline_event(event: Any, intake: Intake, meta: EventMeta, conn: Connection) -> None:
    """签收, 退单申请, 延期申请, 办理进展, 办结 of a work order: a message to the hotline, owed at once.

    Runs first in the consumer's transaction (the append is its first write, ADR 0002); the
    message id comes from the causing event, so a redelivery queues nothing twice.
    """
    ref = await work_order_of(intake, conn, event.case_id)
    if ref is None:
        return
    unit_name = None
    if getattr(event, "unit_code", None):
        summary = await intake.reports.summary(conn, event.case_id)
        unit_name = summary.unit_name if summary and summary.unit_code == event.unit_code else None
    zone = intake.city.timezone
    body = message_body(event, zone, unit_name)
    if body is None or meta.causation_id is None:
        return
    cmd = QueueMessage(ref, message_id(meta.causation_id), body, utc_now().astimezone(zone))
    handled = await handle_and_fold(
        intake.store, stream_id(ref.case_id), DECIDER, lambda state: decide_queue(state, cmd),
        meta.for_case(ref.case_id), conn,
    )  # fmt: skip
    for queued in handled.events:
        if isinstance(queued, HotlineMessageQueued):
            await intake.hotline.owe(conn, queued.message)


async def record_from_hotline(
    intake: Intake,
    work_order_no: str,
    command: Callable[[WorkOrderRef], C],
    decide: Callable[[HotlineWorkOrder, C], Sequence[HotlineEvent]],
    caller: Principal,
) -> tuple[WorkOrderRef, bool]:
    """退单审核, 延期审核, 回访, 催办/督办: recorded on the work order; False when it repeats one recorded."""

    async def attempt() -> tuple[WorkOrderRef, bool]:
        # A message of the same work order may be queued meanwhile: then decided again on what it changed.
        async with intake.store.pool.acquire() as conn:
            found = await find_work_order(intake, conn, work_order_no)
            cmd = command(found.ref)
            meta = EventMeta.traced(caller.actor).for_case(found.ref.case_id)
            handled = await handle_and_fold(
                intake.store, stream_id(found.ref.case_id), DECIDER, functools.partial(_decide, decide, cmd), meta, conn
            )
        return found.ref, bool(handled.events)

    return await retry_on_conflict(attempt)


def _decide(
    decide: Callable[[HotlineWorkOrder, C], Sequence[HotlineEvent]], cmd: C, state: HotlineWorkOrder
) -> Sequence[HotlineEvent]:
    return decide(state, cmd)
