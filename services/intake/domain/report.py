"""The Report aggregate: one case as Intake knows it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, assert_never
from uuid import UUID

from casekit.decider import Decider
from casekit.errors import RuleViolation
from schemas.intake import Channel, ReportReceived, ReportSubmission

ReportEvent = ReportReceived


@dataclass(frozen=True)
class Report:
    """上报: a problem reported through a channel, from which Intake opens a case (立案)."""

    status: Literal["new", "received"] = "new"
    channel: Channel | None = None
    category_code: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class SubmitReport:
    case_id: UUID
    submission: ReportSubmission
    at: datetime


def stream_id(case_id: UUID) -> str:
    return f"report-{case_id}"


def decide_submit(state: Report, cmd: SubmitReport) -> list[ReportEvent]:
    if state.status != "new":
        raise RuleViolation(f"case {cmd.case_id} was already received")
    return [ReportReceived(case_id=cmd.case_id, received_at=cmd.at, **cmd.submission.model_dump())]


def evolve(state: Report, event: ReportEvent) -> Report:
    match event:
        case ReportReceived():
            return replace(
                state,
                status="received",
                channel=event.channel,
                category_code=event.category_code,
                received_at=event.received_at,
            )
        case _:
            assert_never(event)


DECIDER: Decider[Report, ReportEvent] = Decider(initial=Report(), evolve=evolve, events=(ReportReceived,))
