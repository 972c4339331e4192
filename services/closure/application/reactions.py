"""What Closure does when other services' events arrive."""

from __future__ import annotations

from casekit.decider import handle
from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from schemas.dispatch import CaseRouted
from services.closure.application.context import Closure
from services.closure.domain.closure import DECIDER, OpenClosure, decide_open, stream_id


async def on_case_routed(event: CaseRouted, closure: Closure, meta: EventMeta, conn: Connection) -> None:
    """A case has its unit: open the closure record that tracks disposal."""
    cmd = OpenClosure(case_id=event.case_id, unit_code=event.unit_code, at=utc_now())
    await handle(
        closure.store, stream_id(cmd.case_id), DECIDER, lambda state: decide_open(state, cmd),
        meta.for_case(cmd.case_id), conn,
    )  # fmt: skip
