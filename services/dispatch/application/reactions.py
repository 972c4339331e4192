"""What Dispatch does when other services' events arrive."""

from __future__ import annotations

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from schemas.intake import ReportReceived
from services.dispatch.application.commands import open_assignment
from services.dispatch.application.context import Dispatch


async def on_report_received(event: ReportReceived, dispatch: Dispatch, meta: EventMeta, conn: Connection) -> None:
    """A new case: confirm it on site first, record its self-disposal, or route it to its units."""
    await open_assignment(event, dispatch, meta.for_case(event.case_id), conn)
