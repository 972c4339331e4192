"""What goes to and comes from the 12345 hotline, in our terms: a work order as a report (派单 → 上报),
and Dispatch's and Closure's events as the messages the hotline expects (签收, 退单申请, 延期申请,
办理进展, 办结). Pure: times go out in the city's time zone, as the caller gives it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from schemas.closure import CaseReplied, ProgressNoted
from schemas.dispatch import CaseSignedFor, ExtensionRequested, ReturnRequested
from schemas.hotline import (
    OUTCOME_CODES,
    ExtensionRequest,
    FinalReply,
    MessageBody,
    Progress,
    ReturnRequest,
    SignFor,
    WorkOrder,
)
from schemas.intake import Location, ReporterContact, ReportSubmission

RETURN_REASON_TEXT: dict[str, str] = {
    "not_our_area": "非本辖区",
    "not_our_trade": "非本部门职责",
    "duplicate": "重复工单",
    "cannot_locate": "无法定位",
    "not_urban_management": "非城市管理职责",
    "insufficient_information": "信息不全",
    "other": "其他",
}
"""退回原因说明: our return reasons in the hotline's words."""

OUTBOUND_EVENTS = (CaseSignedFor, ReturnRequested, ExtensionRequested, ProgressNoted, CaseReplied)
"""The events of a work order that the hotline is told of."""
MESSAGE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:city-cases:hotline:message")


def as_report(order: WorkOrder) -> ReportSubmission:
    """派单 → 上报: the work order as a hotline report, keyed by its number, the caller sealed as the reporter."""
    point = order.location
    caller = order.caller
    terms = order.terms()  # UTC inside, whatever offset the hotline sent
    terms = terms.model_copy(update={"due_at": _utc(terms.due_at), "dispatched_at": _utc(terms.dispatched_at)})
    description = f"{order.title}：{order.content}" if order.title else order.content
    return ReportSubmission(
        channel="hotline",
        category_code=order.category_code,
        description=description[:2000],
        location=Location(
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            crs=point.crs if point else "WGS84",
            address=order.address,
            grid_code=order.grid_code,
        ),
        occurred_at=_utc(order.received_at),
        photo_urls=order.photo_urls,
        external_id=order.work_order_no,
        deadline_at=_utc(order.due_at),
        reporter=ReporterContact(name=caller.name, phone=caller.phone) if caller and (caller.name or caller.phone)
        else None,
        hotline=terms,
    )  # fmt: skip


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def message_id(causing_event_id: UUID) -> UUID:
    """One message per causing event, whatever redelivers it."""
    return uuid5(MESSAGE_NAMESPACE, str(causing_event_id))


def _local(instant: datetime, zone: tzinfo) -> datetime:
    return instant.astimezone(zone)


def message_body(event: Any, zone: tzinfo, unit_name: str | None = None) -> MessageBody | None:
    """The hotline's message for one of our events, or None if it is not told of this one."""
    match event:
        case CaseSignedFor(role="lead"):
            return SignFor(unit_code=event.unit_code, unit_name=unit_name, signed_at=_local(event.signed_at, zone))
        case ReturnRequested():
            text = RETURN_REASON_TEXT.get(event.reason, event.reason)
            return ReturnRequest(
                unit_code=event.unit_code, reason=event.reason,
                reason_text=f"{text}：{event.note}" if event.note else text, basis=event.basis,
                return_count=event.returns, returned_at=_local(event.requested_at, zone),
            )  # fmt: skip
        case ExtensionRequested():
            return ExtensionRequest(
                unit_code=event.unit_code, extension_days=event.days,
                new_due_at=_local(event.new_due_at, zone) if event.new_due_at else None, reason=event.reason,
                basis=event.basis, requested_at=_local(event.requested_at, zone),
            )  # fmt: skip
        case ProgressNoted():
            return Progress(
                progress=event.progress, note=event.note, staff=event.staff,
                at=_local(event.at, zone),
            )  # fmt: skip
        case CaseReplied():
            return FinalReply(
                outcome=event.outcome, outcome_code=OUTCOME_CODES[event.outcome], summary=event.summary,
                method=event.method, replied_at=_local(event.replied_at, zone),
            )  # fmt: skip
    return None
