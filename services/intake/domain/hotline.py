"""The HotlineWorkOrder aggregate (12345 工单): one work order's conversation with the hotline.

Its stream, `hotline-{case_id}`, holds what we owe the hotline (`HotlineMessageQueued`: 签收,
退单申请, 延期申请, 办理进展, 办结) and what it sent back (退单审核, 延期审核, 回访, 催办/督办).
Messages count from 1 without gaps per work order: the receiver applies them in that order.
A return or an extension request waits for the hotline's decision; nothing else can decide it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import assert_never
from uuid import UUID

from casekit.decider import Decider
from casekit.errors import RuleViolation
from schemas.hotline import (
    SATISFACTION_RESULT,
    ExtensionDecision,
    HotlineCallback,
    HotlineCallbackReceived,
    HotlineExtensionDecided,
    HotlineMessageQueued,
    HotlineNoticeReceived,
    HotlineReturnDecided,
    MessageBody,
    Notice,
    OutboundMessage,
    ReturnDecision,
)

HotlineEvent = (
    HotlineMessageQueued | HotlineReturnDecided | HotlineExtensionDecided | HotlineCallbackReceived
    | HotlineNoticeReceived
)  # fmt: skip


@dataclass(frozen=True)
class Decided:
    """The hotline's last decision of one kind: a repeat of it changes nothing."""

    approved: bool
    decided_at: datetime


@dataclass(frozen=True)
class HotlineWorkOrder:
    """接诉即办工单: what we told the hotline so far, and what waits on its decision."""

    messages: int = 0
    message_ids: frozenset[UUID] = frozenset()
    return_pending: bool = False
    """退单申请 sent, 退单审核 not yet received."""
    extension_pending: bool = False
    """延期申请 sent, 延期审核 not yet received."""
    last_return: Decided | None = None
    last_extension: Decided | None = None
    callback_ids: frozenset[str] = frozenset()
    notice_nos: frozenset[str] = frozenset()
    replied: bool = False


@dataclass(frozen=True)
class WorkOrderRef:
    """Which case a work order is, as Intake's reports say."""

    case_id: UUID
    work_order_no: str
    case_number: str | None


@dataclass(frozen=True)
class QueueMessage:
    ref: WorkOrderRef
    message_id: UUID
    """Derived from the event that causes the message: a redelivered event owes nothing twice."""
    body: MessageBody
    at: datetime
    """When it was queued, in the city's time zone (it goes out as it is)."""


@dataclass(frozen=True)
class DecideReturn:
    ref: WorkOrderRef
    decision: ReturnDecision
    at: datetime


@dataclass(frozen=True)
class DecideExtension:
    ref: WorkOrderRef
    decision: ExtensionDecision
    at: datetime


@dataclass(frozen=True)
class ReceiveCallback:
    ref: WorkOrderRef
    callback: HotlineCallback
    at: datetime


@dataclass(frozen=True)
class ReceiveNotice:
    ref: WorkOrderRef
    notice: Notice
    at: datetime


def stream_id(case_id: UUID) -> str:
    return f"hotline-{case_id}"


def decide_queue(state: HotlineWorkOrder, cmd: QueueMessage) -> list[HotlineEvent]:
    if cmd.message_id in state.message_ids:
        return []
    message = OutboundMessage(
        message_id=cmd.message_id,
        work_order_no=cmd.ref.work_order_no,
        case_id=cmd.ref.case_id,
        case_number=cmd.ref.case_number,
        sequence=state.messages + 1,
        body=cmd.body,
        created_at=cmd.at,
    )
    return [HotlineMessageQueued(case_id=cmd.ref.case_id, message=message)]


def _repeat(last: Decided | None, approved: bool, decided_at: datetime) -> bool:
    return last is not None and last.approved == approved and last.decided_at == decided_at


def decide_return(state: HotlineWorkOrder, cmd: DecideReturn) -> list[HotlineEvent]:
    """退单审核: approved (改派) or rejected (驳回); only while a return request waits."""
    approved = cmd.decision.decision == "approved"
    if not state.return_pending:
        if _repeat(state.last_return, approved, cmd.decision.decided_at):
            return []
        raise RuleViolation(f"work order {cmd.ref.work_order_no} has no return request waiting for a decision")
    return [
        HotlineReturnDecided(
            case_id=cmd.ref.case_id, work_order_no=cmd.ref.work_order_no, approved=approved,
            opinion=cmd.decision.opinion, decided_at=cmd.decision.decided_at, received_at=cmd.at,
        )
    ]  # fmt: skip


def decide_extension(state: HotlineWorkOrder, cmd: DecideExtension) -> list[HotlineEvent]:
    """延期审核: approved until the due time the hotline grants, or rejected; only while a request waits."""
    approved = cmd.decision.decision == "approved"
    if not state.extension_pending:
        if _repeat(state.last_extension, approved, cmd.decision.decided_at):
            return []
        raise RuleViolation(f"work order {cmd.ref.work_order_no} has no extension request waiting for a decision")
    return [
        HotlineExtensionDecided(
            case_id=cmd.ref.case_id, work_order_no=cmd.ref.work_order_no, approved=approved,
            new_due_at=cmd.decision.new_due_at, opinion=cmd.decision.opinion, decided_at=cmd.decision.decided_at,
            received_at=cmd.at,
        )
    ]  # fmt: skip


def decide_callback(state: HotlineWorkOrder, cmd: ReceiveCallback) -> list[HotlineEvent]:
    """回访: recorded once per call-back id, its satisfaction on Closure's scale; only after our final reply."""
    callback = cmd.callback
    if callback.callback_id in state.callback_ids:
        return []
    if not state.replied:
        raise RuleViolation(f"work order {cmd.ref.work_order_no} has no final reply (办结回复) yet: a call-back "
                            "(回访) follows it")  # fmt: skip
    result = SATISFACTION_RESULT[callback.satisfaction] if callback.satisfaction else "unreachable"
    return [
        HotlineCallbackReceived(
            case_id=cmd.ref.case_id, work_order_no=cmd.ref.work_order_no, callback_id=callback.callback_id,
            connected=callback.connected, staff_contacted_citizen=callback.staff_contacted_citizen,
            solved=callback.solved, satisfaction=callback.satisfaction, result=result,
            note=callback.dissatisfaction_reason or callback.opinion, visited_at=callback.visited_at,
            received_at=cmd.at,
        )
    ]  # fmt: skip


def decide_notice(state: HotlineWorkOrder, cmd: ReceiveNotice) -> list[HotlineEvent]:
    """催办/督办: recorded once per notice number."""
    notice = cmd.notice
    if notice.notice_no in state.notice_nos:
        return []
    return [
        HotlineNoticeReceived(
            case_id=cmd.ref.case_id, work_order_no=cmd.ref.work_order_no, notice_no=notice.notice_no,
            kind=notice.kind, opinion=notice.opinion, issued_at=notice.issued_at, received_at=cmd.at,
        )
    ]  # fmt: skip


def evolve(state: HotlineWorkOrder, event: HotlineEvent) -> HotlineWorkOrder:
    match event:
        case HotlineMessageQueued():
            kind = event.message.body.kind
            return replace(
                state,
                messages=event.message.sequence,
                message_ids=state.message_ids | {event.message.message_id},
                return_pending=state.return_pending or kind == "return_request",
                extension_pending=state.extension_pending or kind == "extension_request",
                replied=state.replied or kind == "reply",
            )
        case HotlineReturnDecided():
            return replace(state, return_pending=False, last_return=Decided(event.approved, event.decided_at))
        case HotlineExtensionDecided():
            return replace(state, extension_pending=False, last_extension=Decided(event.approved, event.decided_at))
        case HotlineCallbackReceived():
            return replace(state, callback_ids=state.callback_ids | {event.callback_id})
        case HotlineNoticeReceived():
            return replace(state, notice_nos=state.notice_nos | {event.notice_no})
        case _:
            assert_never(event)


DECIDER: Decider[HotlineWorkOrder, HotlineEvent] = Decider(
    initial=HotlineWorkOrder(),
    evolve=evolve,
    events=(
        HotlineMessageQueued, HotlineReturnDecided, HotlineExtensionDecided, HotlineCallbackReceived,
        HotlineNoticeReceived,
    ),
)  # fmt: skip
