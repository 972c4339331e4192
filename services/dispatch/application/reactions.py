"""What Dispatch does when other services' events arrive."""

from __future__ import annotations

from casekit.decider import handle
from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from schemas.intake import ReportReceived
from services.dispatch.application.context import Dispatch
from services.dispatch.domain.assignment import DECIDER, RouteCase, decide_route, stream_id


async def on_report_received(event: ReportReceived, dispatch: Dispatch, meta: EventMeta, conn: Connection) -> None:
    """A new case: route it to its responsible unit."""
    cmd = RouteCase(case_id=event.case_id, category_code=event.category_code, at=utc_now())
    await handle(
        dispatch.store, stream_id(cmd.case_id), DECIDER, lambda state: decide_route(state, cmd),
        meta.for_case(cmd.case_id), conn,
    )  # fmt: skip
