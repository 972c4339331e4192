"""The Report aggregate: one case as Intake knows it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, assert_never
from uuid import UUID

from casekit.decider import Decider
from casekit.errors import RuleViolation
from schemas.intake import (
    Channel,
    FindingOutcome,
    Place,
    ReceivedLocation,
    ReportLinked,
    ReportReceived,
    ReportSubmission,
)

ReportEvent = ReportReceived | ReportLinked
NEEDS_CONFIRMATION: frozenset[Channel] = frozenset({"hotline", "public"})
"""核实: hotline and public reports are confirmed on site before dispatch; patrol reports are not."""


@dataclass(frozen=True)
class Report:
    """上报: a problem reported through a channel, from which Intake opens a case (立案)."""

    status: Literal["new", "received", "linked"] = "new"
    case_number: str | None = None
    channel: Channel | None = None
    category_code: str | None = None
    received_at: datetime | None = None
    linked_to: UUID | None = None
    work_order_no: str | None = None
    """工单编号: a 12345 work order, which the hotline is told of (domain/hotline.py)."""


@dataclass(frozen=True)
class Duplicate:
    """并单: the open case a new report duplicates, and how far apart they are."""

    case_id: UUID
    distance_m: float


@dataclass(frozen=True)
class SubmitReport:
    case_id: UUID
    case_number: str
    submission: ReportSubmission
    location: ReceivedLocation | None
    place: Place | None
    at: datetime
    duplicate_of: Duplicate | None = None
    by: str | None = None
    """The verified submitter; recorded for a self-disposal, so someone else verifies it."""
    own_powers_unit: str | None = None
    """权限内自行处理: the reporting officer's unit (from the duty assignments), which owns the case."""


def finding_of(sub: ReportSubmission) -> FindingOutcome | None:
    """巡查交办: a grid report's outcome; None for the other channels."""
    if sub.channel != "grid":
        return None
    return "fixed_on_spot" if sub.self_disposed else "own_powers" if sub.own_powers else "handed_over"


def stream_id(case_id: UUID) -> str:
    return f"report-{case_id}"


def decide_submit(state: Report, cmd: SubmitReport) -> list[ReportEvent]:
    if state.status != "new":
        raise RuleViolation(f"case {cmd.case_id} was already received")
    sub = cmd.submission
    if cmd.duplicate_of:
        return [
            ReportLinked(
                case_id=cmd.case_id,
                case_number=cmd.case_number,
                linked_to_case_id=cmd.duplicate_of.case_id,
                channel=sub.channel,
                category_code=sub.category_code,
                distance_m=round(cmd.duplicate_of.distance_m, 1),
                external_id=sub.external_id,
                received_at=cmd.at,
            )
        ]
    return [
        ReportReceived(
            case_id=cmd.case_id,
            case_number=cmd.case_number,
            channel=sub.channel,
            category_code=sub.category_code,
            description=sub.description,
            location=cmd.location,
            address=sub.location.address,
            place=cmd.place,
            occurred_at=sub.occurred_at,
            photo_urls=[str(url) for url in sub.photo_urls],
            external_id=sub.external_id,
            source_deadline_at=sub.deadline_at,
            needs_confirmation=sub.channel in NEEDS_CONFIRMATION,
            self_disposed=sub.self_disposed,
            self_disposal_photo_url=str(sub.self_disposal_photo_url) if sub.self_disposal_photo_url else None,
            self_disposed_by=cmd.by if sub.self_disposed else None,
            whistle=sub.whistle,
            hotline=sub.hotline,
            patrol_id=sub.patrol_id,
            finding=finding_of(sub),
            own_powers_unit=cmd.own_powers_unit,
            received_at=cmd.at,
        )
    ]


def evolve(state: Report, event: ReportEvent) -> Report:
    match event:
        case ReportReceived():
            return replace(
                state,
                status="received",
                case_number=event.case_number,
                channel=event.channel,
                category_code=event.category_code,
                received_at=event.received_at,
                work_order_no=event.hotline.work_order_no if event.hotline else None,
            )
        case ReportLinked():
            return replace(
                state,
                status="linked",
                case_number=event.case_number,
                channel=event.channel,
                category_code=event.category_code,
                received_at=event.received_at,
                linked_to=event.linked_to_case_id,
            )
        case _:
            assert_never(event)


DECIDER: Decider[Report, ReportEvent] = Decider(initial=Report(), evolve=evolve, events=(ReportReceived, ReportLinked))
