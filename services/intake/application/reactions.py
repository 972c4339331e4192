"""What Intake does when messages arrive: channel reports to submit, downstream events to log for callbacks."""

from __future__ import annotations

from typing import Any

from casekit.envelope import EventMeta
from casekit.errors import RuleViolation
from casekit.eventstore import Connection
from schemas.intake import ReportSubmission
from services.intake.application.commands import submit_report
from services.intake.application.context import Intake
from services.intake.domain.public_status import public_change


async def on_report_submitted(
    submission: ReportSubmission, channel: str, intake: Intake, meta: EventMeta, conn: Connection
) -> None:
    """A report on a channel topic (社区吹哨, 网格员巡查, 12345): submitted as over HTTP."""
    if submission.channel != channel:
        raise RuleViolation(f"a {submission.channel} report on the {channel} channel topic")
    await submit_report(submission, intake, meta, client=f"kafka:{channel}", conn=conn)


async def on_public_change(event: Any, intake: Intake, meta: EventMeta, conn: Connection) -> None:
    """A change the public is told of (公开状态), logged per report for the callbacks; once, never on a rebuild.

    The status itself is the projection's (application/public_status.py), in the same transaction.
    """
    change = public_change(event)
    if change is not None:
        await intake.reports.record_change(conn, event.case_id, change)
