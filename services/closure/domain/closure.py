"""The CaseClosure aggregate: a routed case on its way to being closed (结案), and after.

Its life: opened when Dispatch routes the case (or records a self-disposal); the unit starts and
reports disposal (处置反馈); someone who did not do the work verifies it (核查): pass closes it,
fail sends it back for rework (返工); the resident is called back (回访): unsatisfied reopens it
to the same unit once, a second time sends it to review. On the side: returned to Dispatch
(clocks stop until it is routed again), parked (挂账) and resumed, extended (延期), voided (作废).
A 12345 work order (工单) also keeps the hotline's own clock, the `reply` stage (办结回复), which
only the final reply ends and only the hotline's extension moves (domain/hotline.py, ADR 0017).
The decisions are in domain/lifecycle.py, domain/side_paths.py and domain/hotline.py; this module
holds the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from uuid import UUID

from casekit.decider import Decider
from schemas.base import Event
from schemas.closure import (
    CLOSURE_EVENTS,
    CallbackHeld,
    CallbackRecorded,
    CallbackResult,
    CaseClosed,
    CaseEscalated,
    CaseParked,
    CaseReopened,
    CaseReplied,
    CaseResumed,
    CaseUrged,
    ClosureKind,
    ClosureOpened,
    ClosureVoided,
    Deadline,
    DeadlineExtended,
    DeadlineOverdue,
    DeadlineWarned,
    DisposalReported,
    DisposalStarted,
    ProgressNoted,
    ResponsibilityMoved,
    ReturnNoted,
    ReviewDecided,
    ReworkOrdered,
    SatisfactionReviewOpened,
    SignForNoted,
    Stage,
    VerificationFailed,
    VerificationPassed,
)
from schemas.dispatch import TimeLimit, UnitLevel
from schemas.hotline import NoticeKind, Outcome

Status = Literal["new", "open", "returned", "disposed", "closed", "in_review", "parked", "voided"]
"""open: with its unit, to dispose; returned: back in Dispatch; disposed: to verify; closed: to call back."""
FINAL_CALLBACK: frozenset[CallbackResult] = frozenset({"satisfied", "basically_satisfied"})


@dataclass(frozen=True)
class CaseClosure:
    """结案流程: disposal, verification and call-back of one case by its responsible unit."""

    status: Status = "new"
    unit_code: str | None = None
    unit_name: str | None = None
    unit_level: UnitLevel | None = None
    case_number: str | None = None
    category_code: str | None = None
    area_code: str | None = None
    opened_at: datetime | None = None
    self_disposed: bool = False
    disposal_limit: TimeLimit | None = None
    verification_limit: TimeLimit | None = None
    deadlines: tuple[Deadline, ...] = ()
    """The deadlines in force, one per stage; a parked case keeps them, stopped."""
    warned: frozenset[Stage] = frozenset()
    overdue: frozenset[Stage] = frozenset()
    escalated: frozenset[Stage] = frozenset()
    signed_for: bool = False
    started: bool = False
    rounds: int = 0
    """Disposals reported so far."""
    disposed_by: str | None = None
    """Who reported the disposal in force: they may not verify it."""
    disposing_unit: str | None = None
    rework_count: int = 0
    reopen_count: int = 0
    unsatisfied_count: int = 0
    late: bool = False
    """A disposal came after its deadline, or the disposal deadline was marked overdue."""
    closure_kind: ClosureKind | None = None
    closed_at: datetime | None = None
    callback_result: CallbackResult | None = None
    callback_done: bool = False
    callback_refs: frozenset[str] = frozenset()
    parked_from: Status | None = None
    parked_at: datetime | None = None
    exception_approved: bool = False
    work_order_no: str | None = None
    """工单编号: a 12345 work order, replied to (办结) by the hotline's due time."""
    reply_due_at: datetime | None = None
    """The hotline's due time in force (kept after the reply, for the work lists)."""
    replied: bool = False
    """A final reply stands; a reopening (重新办理) owes a new one."""
    reply_outcome: Outcome | None = None
    replied_at: datetime | None = None
    notice_nos: frozenset[str] = frozenset()
    """催办/督办 notices seen, by their number: the same notice again changes nothing."""
    last_urge_kind: NoticeKind | None = None
    last_urged_at: datetime | None = None
    """When the hotline issued the latest notice."""
    held_callback: CallbackHeld | None = None
    """The hotline's call-back on a disposed case, recorded when the case closes."""

    def deadline(self, stage: Stage) -> Deadline | None:
        return next((d for d in self.deadlines if d.stage == stage), None)

    def running(self) -> Mapping[Stage, Deadline]:
        """The deadlines whose clocks run (only the hotline's while parked; none once finished)."""
        if self.status == "parked":  # our park stops our clocks, not the hotline's
            return {d.stage: d for d in self.deadlines if d.stage == "reply"}
        return {d.stage: d for d in self.deadlines}


@dataclass(frozen=True)
class Act:
    """Who acts and when: the verified actor, and the unit they act for (unit staff)."""

    case_id: UUID
    by: str
    at: datetime
    unit: str | None = None
    note: str | None = None


def stream_id(case_id: UUID) -> str:
    return f"closure-{case_id}"


def _set(deadlines: tuple[Deadline, ...], *new: Deadline, drop: tuple[Stage, ...] = ()) -> tuple[Deadline, ...]:
    replaced = {d.stage for d in new} | set(drop)
    return (*(d for d in deadlines if d.stage not in replaced), *new)


def _reply_kept(state: CaseClosure) -> tuple[Deadline, ...]:
    """The hotline's clock, which our own steps (a return, a closing, a call-back) never end."""
    reply = state.deadline("reply")
    return (reply,) if reply is not None else ()


def _fresh(state: CaseClosure, deadlines: tuple[Deadline, ...], **changes: object) -> CaseClosure:
    """New deadlines: the stages whose deadline changed start unwarned, not overdue, not escalated."""
    changed = set(deadlines) ^ set(state.deadlines)
    stages = {d.stage for d in changed}
    return replace(
        state, deadlines=deadlines, warned=state.warned - stages, overdue=state.overdue - stages,
        escalated=state.escalated - stages, **changes,  # type: ignore[arg-type]
    )  # fmt: skip


def evolve(state: CaseClosure, event: Event) -> CaseClosure:
    match event:
        case ClosureOpened():
            return replace(
                state, status="open", unit_code=event.unit_code, unit_name=event.unit_name,
                unit_level=event.unit_level, case_number=event.case_number, category_code=event.category_code,
                area_code=event.area_code, opened_at=event.opened_at, self_disposed=event.self_disposed,
                deadlines=tuple(event.deadlines), disposal_limit=event.disposal_limit,
                verification_limit=event.verification_limit, work_order_no=event.work_order_no,
                reply_due_at=next((d.due_at for d in event.deadlines if d.stage == "reply"), None),
            )  # fmt: skip
        case ResponsibilityMoved():
            return _fresh(state, tuple(event.deadlines), status="open", unit_code=event.unit_code,
                          unit_name=event.unit_name, unit_level=event.unit_level, signed_for=False, started=False,
                          disposal_limit=event.disposal_limit or state.disposal_limit,
                          verification_limit=event.verification_limit or state.verification_limit)  # fmt: skip
        case ReturnNoted():
            return _fresh(state, _reply_kept(state), status="returned")
        case SignForNoted():
            return _fresh(state, _set(state.deadlines, drop=("sign_for",)), signed_for=True)
        case DisposalStarted():
            return replace(state, started=True)
        case DisposalReported():
            deadlines = _set(state.deadlines, event.verification, drop=("sign_for", "disposal"))
            return _fresh(state, deadlines, status="disposed", rounds=event.round, disposed_by=event.reported_by,
                          disposing_unit=event.unit_code, late=state.late or event.late)  # fmt: skip
        case VerificationPassed():
            return state
        case VerificationFailed():
            return state
        case ReworkOrdered():
            return _fresh(state, _set(state.deadlines, event.disposal, drop=("verification",)), status="open",
                          rework_count=event.rework_count)  # fmt: skip
        case CaseClosed():
            return _fresh(state, (*_reply_kept(state), event.callback), status="closed", closure_kind=event.kind,
                          closed_at=event.closed_at, parked_from=None, parked_at=None)  # fmt: skip
        case CallbackRecorded():
            final = event.result != "unreachable"
            deadlines = _reply_kept(state) if final else state.deadlines
            unsatisfied = state.unsatisfied_count + (event.result == "unsatisfied")
            return _fresh(state, deadlines, callback_result=event.result, callback_done=final,
                          callback_refs=state.callback_refs | ({event.callback_ref} if event.callback_ref else set()),
                          unsatisfied_count=unsatisfied, held_callback=None)  # fmt: skip
        case CallbackHeld():
            return replace(state, held_callback=event)
        case CaseReopened():
            return _fresh(state, (*_reply_kept(state), event.disposal), status="open",
                          reopen_count=event.reopen_count, callback_done=False, closure_kind=None, closed_at=None,
                          replied=False)  # fmt: skip
        case SatisfactionReviewOpened():
            return replace(state, status="in_review")
        case ReviewDecided():
            return replace(state, status="closed") if event.decision == "uphold" else state
        case CaseParked():
            return replace(state, status="parked", parked_from=state.status, parked_at=event.parked_at)
        case CaseResumed():
            # The same deadlines, moved by the park: a stage already warned or overdue stays so.
            return replace(state, deadlines=tuple(event.deadlines), status=state.parked_from or "open",
                           parked_from=None, parked_at=None)  # fmt: skip
        case DeadlineExtended():
            moved = _set(state.deadlines, *(d for d in (event.disposal, event.reply) if d is not None))
            if event.reply is None:
                return _fresh(state, moved)
            return _fresh(state, moved, reply_due_at=event.reply.due_at)
        case ClosureVoided():  # a voided work order still owes the hotline its reply (不办理)
            return _fresh(state, _reply_kept(state), status="voided")
        case DeadlineWarned():
            return replace(state, warned=state.warned | {event.stage})
        case DeadlineOverdue():
            late = state.late or event.stage == "disposal"
            return replace(state, overdue=state.overdue | {event.stage}, late=late)
        case CaseEscalated():
            return replace(state, escalated=state.escalated | {event.stage})
        case ProgressNoted():
            return state
        case CaseReplied():
            return _fresh(state, _set(state.deadlines, drop=("reply",)), replied=True, reply_outcome=event.outcome,
                          replied_at=event.replied_at)  # fmt: skip
        case CaseUrged():
            seen = state.notice_nos | {event.notice_no}
            if state.last_urged_at is not None and event.issued_at < state.last_urged_at:
                return replace(state, notice_nos=seen)  # an older notice, arriving late
            return replace(state, notice_nos=seen, last_urge_kind=event.kind, last_urged_at=event.issued_at)
        case _:
            raise TypeError(f"{type(event).__name__} is not a CaseClosure event")


DECIDER: Decider[CaseClosure, Event] = Decider(initial=CaseClosure(), evolve=evolve, events=CLOSURE_EVENTS)
