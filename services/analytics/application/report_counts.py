"""Reports per channel (考核 report volume): those that opened a case, and those merged into one (并单)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.projection import ProjectionHandler
from schemas.base import Event
from schemas.intake import ReportLinked, ReportReceived


@dataclass(frozen=True)
class ChannelReport:
    """One report as the counts see it."""

    event_id: UUID
    case_id: UUID
    channel: str
    merged: bool
    """并单: linked to an open case instead of opening its own."""
    occurred_at: datetime


class ChannelReports(Protocol):
    """Where counted reports go (adapters/views/report_counts.py)."""

    async def add(self, report: ChannelReport) -> None: ...


def _report(message: Inbound[ReportReceived] | Inbound[ReportLinked], merged: bool) -> ChannelReport:
    return ChannelReport(
        event_id=causation_id(message),
        case_id=message.data.case_id,
        channel=message.data.channel,
        merged=merged,
        # The event's own instant, as the trace orders it; received_at when a sender gave no ce_time.
        occurred_at=message.time or message.data.received_at,
    )


async def on_report_received(message: Inbound[ReportReceived], reports: ChannelReports) -> None:
    await reports.add(_report(message, merged=False))


async def on_report_linked(message: Inbound[ReportLinked], reports: ChannelReports) -> None:
    """Every report counts, merged ones too: the basis of report-volume figures."""
    await reports.add(_report(message, merged=True))


HANDLERS: dict[type[Event], ProjectionHandler[ChannelReports]] = {
    ReportReceived: on_report_received,
    ReportLinked: on_report_linked,
}
