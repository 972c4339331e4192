"""What Dispatch's events make of a CaseClosure, the side paths (挂账, 恢复, 延期, 作废) and the timers' decisions.

Reactions to another service's facts never refuse: a fact that does not apply to the record as
it stands (a park approved after the case was disposed, say) decides nothing, and the consumer
moves on. People's requests are refused with `RuleViolation` as in domain/lifecycle.py.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from casekit.errors import RuleViolation
from schemas.base import Event
from schemas.closure import (
    Approval,
    CaseEscalated,
    CaseParked,
    CaseResumed,
    ClosureOpened,
    ClosureVoided,
    Deadline,
    DeadlineExtended,
    DeadlineOverdue,
    DeadlineWarned,
    DisposalReported,
    ResponsibilityMoved,
    ReturnNoted,
    SignForNoted,
    Stage,
)
from schemas.dispatch import CaseReturned, CaseRouted, CaseSignedFor, SelfDisposalRecorded
from services.closure.domain.closure import Act, CaseClosure
from services.closure.domain.deadlines import ClosureRules, escalation_target

NO_UNIT = "unassigned"
"""The unit of a self-disposal no unit's rule covers: nobody to send rework to but a dispatcher."""
ENDED = ("closed", "in_review", "voided")


def decide_routed(
    state: CaseClosure, routed: CaseRouted, rules: ClosureRules, case_number: str | None = None,
    work_order_no: str | None = None,
) -> list[Event]:  # fmt: skip
    """派遣: open the record, or move it to the unit Dispatch now names (its clock starts again).

    A 12345 work order's reply clock starts at the first routing and is carried, as it was, through
    every move: it is the hotline's clock, not the unit's.
    """
    limits = routed.limits
    disposal_limit = rules.disposal_limit(limits.disposal if limits else None, routed.category_code, routed.urgency)
    verification = rules.verification_limit(limits.verification if limits else None, routed.category_code,
                                            routed.urgency)  # fmt: skip
    deadlines = [rules.deadline("disposal", routed.routed_at, disposal_limit)]
    if routed.sign_for_due_at is not None and limits is not None and limits.sign_for is not None:
        deadlines.insert(0, rules.deadline("sign_for", routed.routed_at, limits.sign_for, routed.sign_for_due_at))
    level = routed.reason.level if routed.reason else None
    area = routed.reason.area_code if routed.reason else None
    if state.status == "new":
        if routed.reply_due_at is not None:
            deadlines.append(rules.reply_deadline(routed.routed_at, routed.reply_due_at))
        return [ClosureOpened(
            case_id=routed.case_id, unit_code=routed.unit_code, opened_at=routed.routed_at, unit_name=routed.unit_name,
            unit_level=level, case_number=case_number, category_code=routed.category_code, area_code=area,
            deadlines=deadlines, disposal_limit=disposal_limit, verification_limit=verification,
            work_order_no=work_order_no,
        )]  # fmt: skip
    if state.status not in ("open", "returned") or (state.status == "open" and state.unit_code == routed.unit_code
                                                     and routed.kind == "routing"):  # fmt: skip
        return []  # disposed, closed or parked: Dispatch's later word does not take the work back
    reply = state.deadline("reply")
    if reply is not None:
        deadlines.append(reply)
    return [ResponsibilityMoved(
        case_id=routed.case_id, unit_code=routed.unit_code, unit_name=routed.unit_name, unit_level=level,
        previous_unit_code=state.unit_code, route_kind=routed.kind, deadlines=deadlines,
        disposal_limit=disposal_limit, verification_limit=verification, moved_at=routed.routed_at,
    )]  # fmt: skip


def decide_self_disposal(
    state: CaseClosure, recorded: SelfDisposalRecorded, rules: ClosureRules, case_number: str | None = None
) -> list[Event]:
    """自行处置: opened already disposed; verification by someone else is due."""
    if state.status != "new":
        return []
    at, case_id = recorded.recorded_at, recorded.case_id
    limit = rules.verification_limit(None, recorded.category_code, None)
    return [
        ClosureOpened(case_id=case_id, unit_code=recorded.unit_code or NO_UNIT, opened_at=at, case_number=case_number,
                      category_code=recorded.category_code, area_code=recorded.area_code, self_disposed=True),
        DisposalReported(
            case_id=case_id, unit_code=None, method=None, notes="自行处置: fixed on the spot by the reporter",
            photo_urls=[recorded.photo_url] if recorded.photo_url else [], round=1, late=False,
            verification=rules.deadline("verification", at, limit), reported_by=recorded.disposed_by or "unknown",
            reported_at=at,
        ),
    ]  # fmt: skip


def decide_returned(state: CaseClosure, returned: CaseReturned) -> list[Event]:
    if state.status != "open" or returned.unit_code != state.unit_code:
        return []
    return [ReturnNoted(case_id=returned.case_id, unit_code=returned.unit_code, returned_at=returned.returned_at)]


def decide_signed_for(state: CaseClosure, signed: CaseSignedFor) -> list[Event]:
    if signed.role != "lead" or state.status != "open" or state.signed_for or signed.unit_code != state.unit_code:
        return []
    return [SignForNoted(case_id=signed.case_id, unit_code=signed.unit_code, late=signed.late,
                         signed_at=signed.signed_at)]  # fmt: skip


def decide_park(state: CaseClosure, cmd: Act, approval: Approval) -> list[Event]:
    """挂账, approved by a dispatcher in Dispatch or by the decider acting here."""
    if state.status != "open":
        if approval == "dispatch":
            return []
        raise RuleViolation(f"case {cmd.case_id} is {state.status}: only a case being disposed of is parked")
    if not cmd.note:
        raise RuleViolation("a park names its reason")
    return [CaseParked(case_id=cmd.case_id, reason=cmd.note, approval=approval, approved_by=cmd.by,
                       parked_at=cmd.at)]  # fmt: skip


def decide_resume(state: CaseClosure, cmd: Act, rules: ClosureRules) -> list[Event]:
    if state.status != "parked" or state.parked_at is None:
        raise RuleViolation(f"case {cmd.case_id} is {state.status}, not parked")
    # The hotline's clock ran through the park (CaseClosure.running): it has nothing to make up.
    deadlines = [d if d.stage == "reply" else rules.resumed(d, state.parked_at, cmd.at) for d in state.deadlines]
    return [CaseResumed(case_id=cmd.case_id, note=cmd.note, deadlines=deadlines, resumed_by=cmd.by,
                        resumed_at=cmd.at)]  # fmt: skip


def decide_extend(
    state: CaseClosure, cmd: Act, days: int, approval: Approval, rules: ClosureRules,
    new_reply_due_at: datetime | None = None,
) -> list[Event]:  # fmt: skip
    """延期: the disposal deadline in force moves by `days` working days; a 12345 work order's reply
    deadline moves to the due time the hotline granted (never earlier than it was)."""
    disposal, reply = state.deadline("disposal"), state.deadline("reply")
    moved = None
    if reply is not None and new_reply_due_at is not None and new_reply_due_at > reply.due_at:
        moved = rules.reply_deadline(reply.started_at, new_reply_due_at)
    if state.status not in ("open", "parked") or disposal is None:
        if approval != "dispatch":
            raise RuleViolation(f"case {cmd.case_id} is {state.status}: only a disposal deadline is extended")
        if moved is None:
            return []
        # Disposed before the hotline decided: its grant still moves the reply it waits for.
        return [DeadlineExtended(case_id=cmd.case_id, days=days, reply=moved, approval=approval, approved_by=cmd.by,
                                 extended_at=cmd.at)]  # fmt: skip
    return [DeadlineExtended(case_id=cmd.case_id, days=days, previous_due_at=disposal.due_at,
                             disposal=rules.extended(disposal, days), reply=moved, approval=approval,
                             approved_by=cmd.by, extended_at=cmd.at)]  # fmt: skip


def decide_void(state: CaseClosure, cmd: Act, approval: Approval, note: str | None = None) -> list[Event]:
    """作废 with its reason (`cmd.note`) and, optionally, a further note."""
    if state.status in ENDED or state.status == "new":
        raise RuleViolation(f"case {cmd.case_id} is {state.status}; it cannot be voided")
    if not cmd.note:
        raise RuleViolation("a void names its reason")
    return [ClosureVoided(case_id=cmd.case_id, reason=cmd.note, note=note, approval=approval, approved_by=cmd.by,
                          voided_at=cmd.at)]  # fmt: skip


# The timers: each decides against the state as it is now, so a deadline met, moved or stopped
# since the timer was owed fires into nothing.


def _still_due(state: CaseClosure, stage: Stage, due_at: datetime) -> Deadline | None:
    deadline = state.running().get(stage)
    return deadline if deadline is not None and deadline.due_at == due_at else None


def decide_warn(state: CaseClosure, case_id: UUID, stage: Stage, due_at: datetime, at: datetime) -> list[Event]:
    if _still_due(state, stage, due_at) is None or stage in state.warned or stage in state.overdue:
        return []
    return [DeadlineWarned(case_id=case_id, stage=stage, unit_code=state.unit_code, due_at=due_at, warned_at=at)]


def decide_overdue(state: CaseClosure, case_id: UUID, stage: Stage, due_at: datetime, at: datetime) -> list[Event]:
    if _still_due(state, stage, due_at) is None or stage in state.overdue:
        return []
    return [DeadlineOverdue(case_id=case_id, stage=stage, unit_code=state.unit_code, due_at=due_at, flagged_at=at)]


def decide_escalate(state: CaseClosure, case_id: UUID, stage: Stage, due_at: datetime, at: datetime) -> list[Event]:
    if _still_due(state, stage, due_at) is None or stage not in state.overdue or stage in state.escalated:
        return []
    level, area = escalation_target(state.unit_level, state.area_code)
    return [CaseEscalated(case_id=case_id, stage=stage, unit_code=state.unit_code, to_level=level, to_area_code=area,
                          due_at=due_at, escalated_at=at)]  # fmt: skip
