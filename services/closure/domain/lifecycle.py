"""The loop's decisions on a CaseClosure: start, dispose (处置), verify (核查), close (结案), call back (回访), review.

Each refuses an illegal transition with `RuleViolation` (409) and changes nothing; who may act at
all is domain/access.py's to say before these run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from casekit.errors import Forbidden, RuleViolation
from schemas.base import Event
from schemas.closure import (
    CallbackHeld,
    CallbackRecorded,
    CallbackResult,
    CaseClosed,
    CaseReopened,
    ClosureKind,
    DisposalMethod,
    DisposalReported,
    DisposalStarted,
    ReviewDecided,
    ReworkOrdered,
    SatisfactionReviewOpened,
    VerificationFailed,
    VerificationPassed,
)
from schemas.hotline import Solved
from services.closure.domain.closure import DECIDER, Act, CaseClosure
from services.closure.domain.deadlines import ClosureRules

REOPENS_BEFORE_REVIEW = 1
"""Unsatisfied reopens the case once; unsatisfied again goes to review (不满意复核)."""


@dataclass(frozen=True)
class Disposal:
    """处置反馈 as the unit reports it."""

    method: DisposalMethod
    notes: str
    photo_urls: tuple[str, ...] = ()
    penalty_notice_number: str | None = None


@dataclass(frozen=True)
class Verification:
    passed: bool
    note: str | None = None
    photo_urls: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Callback:
    result: CallbackResult
    source: Literal["callback_team", "hotline"] = "callback_team"
    callback_ref: str | None = None
    solved: Solved | None = None
    """问题是否解决, as the resident told the hotline."""


def decide_start(state: CaseClosure, cmd: Act) -> list[Event]:
    unit = _unit_acting(state, cmd)
    _open_for_disposal(state, cmd)
    if state.started:
        raise RuleViolation(f"{unit} has already started work on case {cmd.case_id}")
    return [DisposalStarted(case_id=cmd.case_id, unit_code=unit, started_by=cmd.by, started_at=cmd.at)]


def decide_dispose(state: CaseClosure, cmd: Act, disposal: Disposal, rules: ClosureRules) -> list[Event]:
    unit = _unit_acting(state, cmd)
    _open_for_disposal(state, cmd)
    if disposal.method == "enforcement" and not disposal.penalty_notice_number:
        raise RuleViolation("an enforcement (执法) disposal names its penalty notice number (处罚决定书编号)")
    due = state.deadline("disposal")
    limit = rules.verification_limit(state.verification_limit, state.category_code, None)
    return [DisposalReported(
        case_id=cmd.case_id, unit_code=unit, method=disposal.method, notes=disposal.notes,
        photo_urls=list(disposal.photo_urls), penalty_notice_number=disposal.penalty_notice_number,
        round=state.rounds + 1, late=due is not None and cmd.at > due.due_at,
        verification=rules.deadline("verification", cmd.at, limit), reported_by=cmd.by, reported_at=cmd.at,
    )]  # fmt: skip


def decide_verify(state: CaseClosure, cmd: Act, verification: Verification, rules: ClosureRules) -> list[Event]:
    if state.status != "disposed":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}: only a disposed case is verified (核查)")
    if cmd.by == state.disposed_by or (cmd.unit is not None and cmd.unit == state.disposing_unit):
        raise Forbidden("核查 is by someone who did not do the work: the disposal was reported by this caller "
                        "or their unit")  # fmt: skip
    due = state.deadline("verification")
    late = due is not None and cmd.at > due.due_at
    if verification.passed:
        return _with_held_callback(state, cmd, rules, [
            VerificationPassed(case_id=cmd.case_id, note=verification.note, photo_urls=list(verification.photo_urls),
                               late=late, verified_by=cmd.by, verified_at=cmd.at),
            _closed(state, cmd, rules, "late" if state.late else "normal"),
        ])  # fmt: skip
    if not verification.note:
        raise RuleViolation("a failed verification says what is still wrong (note)")
    limit = rules.disposal_limit(state.disposal_limit, state.category_code, None)
    return [
        VerificationFailed(case_id=cmd.case_id, note=verification.note, photo_urls=list(verification.photo_urls),
                           late=late, verified_by=cmd.by, verified_at=cmd.at),
        ReworkOrdered(case_id=cmd.case_id, unit_code=state.disposing_unit or state.unit_code,
                      rework_count=state.rework_count + 1, disposal=rules.deadline("disposal", cmd.at, limit),
                      ordered_at=cmd.at),
    ]  # fmt: skip


def decide_close_special(state: CaseClosure, cmd: Act, rules: ClosureRules) -> list[Event]:
    """特殊结案: a shift lead closes a parked case, or a disposed one that cannot be verified, as an exception."""
    if state.status not in ("parked", "disposed"):
        raise RuleViolation(f"case {cmd.case_id} is {state.status}: a case never disposed closes only as an "
                            "approved exception to a parked case (特殊结案)")  # fmt: skip
    if not cmd.note:
        raise RuleViolation("a special closing names the approved exception (reason)")
    return _with_held_callback(state, cmd, rules, [_closed(state, cmd, rules, "special")])


def _with_held_callback(state: CaseClosure, cmd: Act, rules: ClosureRules, closing: list[Event]) -> list[Event]:
    """The closing, and the hotline's call-back it held back, recorded as of the closing (回访 follows 结案)."""
    held = state.held_callback
    if held is None:
        return closing
    closed = replace(state, held_callback=None)  # else its own id would read as a repeat
    for event in closing:
        closed = DECIDER.evolve(closed, event)
    callback = Callback(held.result, source="hotline", callback_ref=held.callback_ref, solved=held.solved)
    return [*closing, *decide_callback(closed, Act(cmd.case_id, held.called_by, cmd.at, note=held.note), callback,
                                       rules)]  # fmt: skip


def _closed(state: CaseClosure, cmd: Act, rules: ClosureRules, kind: ClosureKind) -> CaseClosed:
    return CaseClosed(case_id=cmd.case_id, kind=kind, reason=cmd.note if kind == "special" else None,
                      closed_by=cmd.by, closed_at=cmd.at, callback=rules.callback_deadline(cmd.at))  # fmt: skip


def decide_callback(state: CaseClosure, cmd: Act, callback: Callback, rules: ClosureRules) -> list[Event]:
    ref, held = callback.callback_ref, state.held_callback
    if ref is not None and (ref in state.callback_refs or (held is not None and held.callback_ref == ref)):
        return []  # the platform sent the same call-back again
    if state.status == "disposed" and callback.source == "hotline":
        # The hotline calls back on our reply, which may precede our verification: kept for the closing.
        return [CallbackHeld(case_id=cmd.case_id, result=callback.result, note=cmd.note,
                             callback_ref=callback.callback_ref, solved=callback.solved, called_by=cmd.by,
                             called_at=cmd.at)]  # fmt: skip
    if state.status != "closed":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}: a call-back (回访) is for a closed case")
    if state.callback_done:
        raise RuleViolation(f"case {cmd.case_id} was already called back ({state.callback_result})")
    due = state.deadline("callback")
    recorded = CallbackRecorded(
        case_id=cmd.case_id, result=callback.result, note=cmd.note, source=callback.source,
        callback_ref=callback.callback_ref, solved=callback.solved, late=due is not None and cmd.at > due.due_at,
        called_by=cmd.by, called_at=cmd.at,
    )  # fmt: skip
    if callback.result != "unsatisfied":
        return [recorded]
    if state.reopen_count < REOPENS_BEFORE_REVIEW:
        return [recorded, _reopened(state, cmd, rules, "unsatisfied")]
    return [recorded, SatisfactionReviewOpened(case_id=cmd.case_id, unsatisfied_count=state.unsatisfied_count + 1,
                                               opened_at=cmd.at)]  # fmt: skip


def decide_review(state: CaseClosure, cmd: Act, reopen: bool, rules: ClosureRules) -> list[Event]:
    if state.status != "in_review":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}, not in review")
    decided = ReviewDecided(case_id=cmd.case_id, decision="reopen" if reopen else "uphold", note=cmd.note,
                            decided_by=cmd.by, decided_at=cmd.at)  # fmt: skip
    return [decided, _reopened(state, cmd, rules, "review")] if reopen else [decided]


def _reopened(
    state: CaseClosure, cmd: Act, rules: ClosureRules, cause: Literal["unsatisfied", "review"]
) -> CaseReopened:
    limit = rules.disposal_limit(state.disposal_limit, state.category_code, None)
    return CaseReopened(case_id=cmd.case_id, unit_code=state.disposing_unit or state.unit_code,
                        reopen_count=state.reopen_count + 1, cause=cause,
                        disposal=rules.deadline("disposal", cmd.at, limit), reopened_at=cmd.at)  # fmt: skip


def _unit_acting(state: CaseClosure, cmd: Act) -> str:
    if cmd.unit is None:
        raise Forbidden("only the responsible unit's staff dispose of a case")
    if cmd.unit != state.unit_code:
        raise Forbidden(f"case {cmd.case_id} is not assigned to {cmd.unit}")
    return cmd.unit


def _open_for_disposal(state: CaseClosure, cmd: Act) -> None:
    if state.status == "parked":
        raise RuleViolation(f"case {cmd.case_id} is parked (挂账): resume it before disposing of it")
    if state.status == "disposed":
        raise RuleViolation(f"case {cmd.case_id} is already disposed of and waits for verification (核查)")
    if state.status != "open":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}; it cannot be disposed of now")
