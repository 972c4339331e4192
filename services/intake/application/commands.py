"""Intake's use cases."""

from __future__ import annotations

from uuid import UUID

from casekit.decider import handle
from casekit.envelope import EventMeta, new_id, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection, EventStore
from schemas.intake import ReportSubmission
from services.intake.domain.report import DECIDER, Report, SubmitReport, decide_submit, stream_id


async def submit_report(
    submission: ReportSubmission, store: EventStore, meta: EventMeta, conn: Connection | None = None
) -> UUID:
    """Open a case for a report; returns the new case id."""
    cmd = SubmitReport(case_id=new_id(), submission=submission, at=utc_now())
    await handle(
        store,
        stream_id(cmd.case_id),
        DECIDER,
        lambda state: decide_submit(state, cmd),
        meta.for_case(cmd.case_id),
        conn,
    )
    return cmd.case_id


async def get_report(case_id: UUID, store: EventStore) -> Report:
    history = await store.read_stream(stream_id(case_id))
    if not history.events:
        raise NotFound(f"no report with case id {case_id}")
    return DECIDER.fold(history.events)
