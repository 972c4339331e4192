"""What Dispatch does when other services' events arrive."""

from __future__ import annotations

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from schemas.closure import CaseResumed
from schemas.intake import ReportReceived
from services.dispatch.application.commands import open_assignment, run
from services.dispatch.application.context import Dispatch
from services.dispatch.domain.assignment import Act, decide_park_ended


async def on_report_received(event: ReportReceived, dispatch: Dispatch, meta: EventMeta, conn: Connection) -> None:
    """A new case: confirm it on site first, record its self-disposal, or route it to its units."""
    await open_assignment(event, dispatch, meta.for_case(event.case_id), conn)


async def on_case_resumed(event: CaseResumed, dispatch: Dispatch, meta: EventMeta, conn: Connection) -> None:
    """恢复办理 in Closure: a park approved here is over, so the unit may ask for one again."""
    act = Act(event.case_id, event.resumed_by, event.resumed_at)
    await run(dispatch, event.case_id, lambda state: decide_park_ended(state, act), meta.for_case(event.case_id), conn)
