"""接诉即办: a 12345 work order's own steps in Closure: progress notes (办理进展), the final reply (办结回复)
and the hotline's urge and supervise notices (催办/督办).

The reply is owed by the hotline's due time, the `reply` deadline (domain/deadlines.py,
`ClosureRules.reply_deadline`), beside the unit's own disposal deadline; the reply ends it. People's
requests are refused with `RuleViolation` (409) as in domain/lifecycle.py; the hotline's notices,
facts recorded by Intake, never are: a notice seen before, or for a case Closure does not have,
decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from casekit.errors import RuleViolation
from schemas.base import Event
from schemas.closure import CaseReplied, CaseUrged, ProgressNoted
from schemas.hotline import NoticeKind, Outcome, ProgressKind, ReplyMethod
from services.closure.domain.closure import Act, CaseClosure

PROGRESS_STATUSES = ("open", "disposed")
"""办理进展 is news of the work: while the unit has the case, before it is closed."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of our clock a progress note's own instant may be (a phone's clock)."""


@dataclass(frozen=True)
class ProgressNote:
    """办理进展 as the unit reports it: contacted the resident, could not (and why), or on site."""

    progress: ProgressKind
    at: datetime | None = None
    """When it happened (首次联系时间/到场时间); None: now."""
    staff: str | None = None


@dataclass(frozen=True)
class Reply:
    """办结回复: the outcome the hotline ranks us by, what we tell it, and how the resident was answered."""

    outcome: Outcome
    summary: str
    method: ReplyMethod


@dataclass(frozen=True)
class Notice:
    """催办 or 督办 from the hotline, as Intake recorded it."""

    notice_no: str
    kind: NoticeKind
    issued_at: datetime
    opinion: str | None = None


def _work_order(state: CaseClosure, cmd: Act, what: str) -> str:
    if state.work_order_no is None:
        raise RuleViolation(f"case {cmd.case_id} is not a 12345 work order: {what} goes to the hotline only")
    return state.work_order_no


def decide_progress(state: CaseClosure, cmd: Act, note: ProgressNote) -> list[Event]:
    """办理进展 by the lead unit's staff (`cmd.unit`, checked by domain/access.py), told to the hotline."""
    _work_order(state, cmd, "a progress note (办理进展)")
    if state.status not in PROGRESS_STATUSES:
        raise RuleViolation(f"case {cmd.case_id} is {state.status}: progress is noted while the unit works on it")
    if note.progress == "not_contacted" and not cmd.note:
        raise RuleViolation("not_contacted (未联系) gives the reason the resident could not be reached (note)")
    at = note.at or cmd.at
    if at > cmd.at + CLOCK_SKEW:
        raise RuleViolation("a progress note tells what happened: its instant (at) is not in the future")
    if state.opened_at is not None and at < state.opened_at:
        raise RuleViolation("a progress note's instant (at) is after the case reached the unit")
    return [ProgressNoted(case_id=cmd.case_id, unit_code=state.unit_code, progress=note.progress, note=cmd.note,
                          staff=note.staff, at=at, noted_by=cmd.by, noted_at=cmd.at)]  # fmt: skip


def decide_reply(state: CaseClosure, cmd: Act, reply: Reply) -> list[Event]:
    """办结回复: once per handling; an outcome other than not_handled (不办理) follows a reported disposal."""
    _work_order(state, cmd, "a final reply (办结回复)")
    if state.replied:
        raise RuleViolation(f"case {cmd.case_id} was replied to already ({state.reply_outcome}): a new reply "
                            "follows only a reopening (重新办理)")  # fmt: skip
    if reply.outcome != "not_handled" and state.rounds < 1:
        raise RuleViolation(f"a {reply.outcome} reply follows a reported disposal (处置反馈); before it, only "
                            "not_handled (不办理)")  # fmt: skip
    due = state.deadline("reply")
    return [CaseReplied(case_id=cmd.case_id, unit_code=state.unit_code, outcome=reply.outcome, summary=reply.summary,
                        method=reply.method, late=due is not None and cmd.at > due.due_at, replied_by=cmd.by,
                        replied_at=cmd.at)]  # fmt: skip


def decide_urged(state: CaseClosure, case_id: UUID, notice: Notice, at: datetime) -> list[Event]:
    """催办/督办: shown on the case once per notice number; a case not in Closure (yet) takes none."""
    if state.status == "new" or notice.notice_no in state.notice_nos:
        return []
    return [CaseUrged(case_id=case_id, unit_code=state.unit_code, kind=notice.kind, notice_no=notice.notice_no,
                      opinion=notice.opinion, issued_at=notice.issued_at, urged_at=at)]  # fmt: skip
