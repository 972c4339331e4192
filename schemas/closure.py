"""Closure's contracts: disposal (处置), verification (核查), rework (返工), closing (结案), call-back (回访),
reopening, park (挂账) and resume, extension (延期), void (作废), and the deadlines' warnings, overdue
marks and escalations (督办).

Every step carries who took it (`*_by`, the verified actor, or `system:closure` for a timer) and
when (UTC). Each deadline travels whole (`Deadline`): its stage, limit, start and due instant, so a
reader never recomputes working time.
"""

from datetime import datetime
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.base import Event, Message
from schemas.dispatch import RouteKind, TimeLimit, UnitLevel
from schemas.hotline import NoticeKind, Outcome, ProgressKind, ReplyMethod, Solved

Stage = Literal["sign_for", "disposal", "verification", "callback", "reply"]
"""签收, 处置, 核查, 回访, 办结回复 (a 12345 work order's own due time): the stages whose deadlines Closure keeps."""
DisposalMethod = Literal["service", "management", "enforcement"]
"""The "721" mix: 服务/劝导 service, 管理 management, 执法 enforcement (with a penalty notice)."""
ClosureKind = Literal["normal", "late", "special"]
"""正常结案, 超期结案 (disposal after its deadline), 特殊结案 (closed by an approved exception)."""
CallbackResult = Literal["satisfied", "basically_satisfied", "unsatisfied", "unreachable"]
"""回访结果: 满意, 基本满意, 不满意, 联系不上."""
Approval = Literal["dispatch", "closure"]
"""Where the approval came from: a dispatcher's decision in Dispatch, or a decider acting in Closure."""
EscalationLevel = Literal["street", "district", "city"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Deadline(_Part):
    """时限: one stage's deadline, when it started, when it warns and when it falls due."""

    stage: Stage
    limit: TimeLimit | None = Field(description="The rule's limit; None for the call-back (the next working day)")
    started_at: datetime
    warn_at: datetime = Field(description="预警: the share of the limit after which a warning is due")
    due_at: datetime


class ClosureOpened(Event):
    """Closure opened its record of a routed case; disposal (处置) can start.

    The fields after `opened_at` came with the Closure issue; readers of the first shape still work.
    """

    type: ClassVar[str] = "closure.ClosureOpened"

    unit_code: str
    opened_at: datetime
    unit_name: str | None = None
    unit_level: UnitLevel | None = None
    case_number: str | None = None
    category_code: str | None = None
    area_code: str | None = Field(None, description="The finest jurisdiction of the case's place")
    self_disposed: bool = Field(False, description="自行处置: fixed on the spot by a grid member; verify it")
    deadlines: list[Deadline] = Field(default_factory=list)
    disposal_limit: TimeLimit | None = None
    verification_limit: TimeLimit | None = None
    work_order_no: str | None = Field(
        None, description="工单编号: a 12345 work order, replied to (办结) by its due time"
    )


class ResponsibilityMoved(Event):
    """责任单位变更: Dispatch routed the case again (re-route, reassignment, review); the new unit's clock starts."""

    type: ClassVar[str] = "closure.ResponsibilityMoved"

    unit_code: str
    unit_name: str | None = None
    unit_level: UnitLevel | None = None
    previous_unit_code: str | None
    route_kind: RouteKind
    deadlines: list[Deadline]
    disposal_limit: TimeLimit | None = None
    verification_limit: TimeLimit | None = None
    moved_at: datetime


class ReturnNoted(Event):
    """退单: the unit returned the case to Dispatch; its clocks stop until Dispatch routes it again."""

    type: ClassVar[str] = "closure.ReturnNoted"

    unit_code: str
    returned_at: datetime


class SignForNoted(Event):
    """签收: the lead unit signed for the case in Dispatch; the sign-for deadline is met."""

    type: ClassVar[str] = "closure.SignForNoted"

    unit_code: str
    late: bool
    signed_at: datetime


class DisposalStarted(Event):
    """开始处置: the unit is at work on the case."""

    type: ClassVar[str] = "closure.DisposalStarted"

    unit_code: str
    started_by: str
    started_at: datetime


class DisposalReported(Event):
    """处置反馈: the unit (or, for a self-disposal, the grid member) says what was done; verification is due."""

    type: ClassVar[str] = "closure.DisposalReported"

    unit_code: str | None = Field(description="None for a self-disposal (自行处置) by a grid member")
    method: DisposalMethod | None = Field(description="服务/管理/执法; None for a self-disposal")
    notes: str
    photo_urls: list[str] = Field(default_factory=list)
    penalty_notice_number: str | None = Field(None, description="处罚决定书编号, for an enforcement")
    round: int = Field(ge=1, description="1 for the first disposal, 2 after one rework or reopening, …")
    late: bool = Field(description="Reported after its disposal deadline")
    verification: Deadline
    reported_by: str
    reported_at: datetime


class VerificationPassed(Event):
    """核查通过: someone who did not do the work found it done on site."""

    type: ClassVar[str] = "closure.VerificationPassed"

    note: str | None = None
    photo_urls: list[str] = Field(default_factory=list)
    late: bool = Field(description="Verified after its verification deadline")
    verified_by: str
    verified_at: datetime


class VerificationFailed(Event):
    """核查不通过: the problem is still there; rework (返工) follows."""

    type: ClassVar[str] = "closure.VerificationFailed"

    note: str
    photo_urls: list[str] = Field(default_factory=list)
    late: bool
    verified_by: str
    verified_at: datetime


class ReworkOrdered(Event):
    """返工: the same unit disposes again, on a fresh disposal deadline."""

    type: ClassVar[str] = "closure.ReworkOrdered"

    unit_code: str | None
    rework_count: int = Field(ge=1, description="Reworks of this case so far, this one included")
    disposal: Deadline
    ordered_at: datetime


class CaseClosed(Event):
    """结案: verified, or closed by an approved exception; the resident's call-back is due."""

    type: ClassVar[str] = "closure.CaseClosed"

    kind: ClosureKind
    reason: str | None = Field(None, description="For a special closing: the approved exception")
    closed_by: str
    closed_at: datetime
    callback: Deadline


class CallbackRecorded(Event):
    """回访: what the resident said, from the call-back team or the 12345 platform."""

    type: ClassVar[str] = "closure.CallbackRecorded"

    result: CallbackResult
    note: str | None = None
    source: Literal["callback_team", "hotline"]
    callback_ref: str | None = Field(None, description="The platform's id of the call-back, for idempotency")
    solved: Solved | None = Field(None, description="问题是否解决, as the resident said (the hotline's 解决率)")
    late: bool
    called_by: str
    called_at: datetime


class CallbackHeld(Event):
    """回访待结案: the 12345 platform called back after our reply but before our verification closed the
    case; its call-back is recorded (CallbackRecorded) the moment the case closes, not dropped."""

    type: ClassVar[str] = "closure.CallbackHeld"

    result: CallbackResult
    note: str | None = None
    callback_ref: str | None = Field(None, description="The platform's id of the call-back, for idempotency")
    solved: Solved | None = Field(None, description="问题是否解决, as the resident said")
    called_by: str
    called_at: datetime
    """When the platform called, as it says."""


class CaseReopened(Event):
    """重新办理: the resident was not satisfied; the case goes back to the same unit."""

    type: ClassVar[str] = "closure.CaseReopened"

    unit_code: str | None
    reopen_count: int = Field(ge=1)
    cause: Literal["unsatisfied", "review"]
    disposal: Deadline
    reopened_at: datetime


class SatisfactionReviewOpened(Event):
    """不满意复核: unsatisfied again after a reopening; a supervisor or shift lead decides."""

    type: ClassVar[str] = "closure.SatisfactionReviewOpened"

    unsatisfied_count: int
    opened_at: datetime


class ReviewDecided(Event):
    """复核结论: uphold the closing (the case stays closed) or reopen it once more."""

    type: ClassVar[str] = "closure.ReviewDecided"

    decision: Literal["uphold", "reopen"]
    note: str | None = None
    decided_by: str
    decided_at: datetime


class CaseParked(Event):
    """挂账: the case cannot be solved now; our clocks stop until it resumes (a 12345 reply clock runs on)."""

    type: ClassVar[str] = "closure.CaseParked"

    reason: str
    approval: Approval
    approved_by: str
    parked_at: datetime


class CaseResumed(Event):
    """恢复办理: a parked case is worked again; each deadline keeps the time it had left."""

    type: ClassVar[str] = "closure.CaseResumed"

    note: str | None = None
    deadlines: list[Deadline]
    resumed_by: str
    resumed_at: datetime


class DeadlineExtended(Event):
    """延期: an approved extension moves the disposal deadline by working days, and a work order's reply
    deadline to the due time the hotline granted (only that one once the disposal is reported)."""

    type: ClassVar[str] = "closure.DeadlineExtended"

    days: int = Field(ge=1)
    previous_due_at: datetime | None = Field(None, description="The disposal deadline before; None: not moved")
    disposal: Deadline | None = Field(None, description="The disposal deadline now; None: the case is past it")
    reply: Deadline | None = Field(None, description="The 12345 due time, moved as the hotline granted")
    approval: Approval
    approved_by: str
    extended_at: datetime


class ClosureVoided(Event):
    """作废: an invalid case, voided with the approval of a shift lead; nothing more is due."""

    type: ClassVar[str] = "closure.ClosureVoided"

    reason: str
    note: str | None = None
    approval: Approval
    approved_by: str
    voided_at: datetime


class DeadlineWarned(Event):
    """预警: a stage has used its warning share of the limit and is not done."""

    type: ClassVar[str] = "closure.DeadlineWarned"

    stage: Stage
    unit_code: str | None
    due_at: datetime
    warned_at: datetime


class DeadlineOverdue(Event):
    """超期: a stage's deadline passed and it is not done."""

    type: ClassVar[str] = "closure.DeadlineOverdue"

    stage: Stage
    unit_code: str | None
    due_at: datetime
    flagged_at: datetime


class CaseEscalated(Event):
    """督办: still overdue a further while; the level above the unit is told to supervise it."""

    type: ClassVar[str] = "closure.CaseEscalated"

    stage: Stage
    unit_code: str | None
    to_level: EscalationLevel
    to_area_code: str | None = Field(description="The street or district that supervises; None for the city")
    due_at: datetime
    escalated_at: datetime


class ProgressNoted(Event):
    """办理进展: the unit contacted the resident (or could not), or is on site; the hotline is told."""

    type: ClassVar[str] = "closure.ProgressNoted"

    unit_code: str | None
    progress: ProgressKind
    note: str | None = None
    staff: str | None = Field(None, description="联系人员/到场人员: our staff, never the resident")
    at: datetime = Field(description="When it happened (首次联系时间/到场时间)")
    noted_by: str
    noted_at: datetime


class CaseReplied(Event):
    """办结回复: the final reply to the 12345 work order, with its outcome; the reply deadline is met."""

    type: ClassVar[str] = "closure.CaseReplied"

    unit_code: str | None
    outcome: Outcome
    summary: str
    method: ReplyMethod
    late: bool = Field(description="After the hotline's due time")
    replied_by: str
    replied_at: datetime


class CaseUrged(Event):
    """催办/督办 from the 12345 hotline: the unit and the dashboard see it on the case."""

    type: ClassVar[str] = "closure.CaseUrged"

    unit_code: str | None
    kind: NoticeKind
    notice_no: str
    opinion: str | None = None
    issued_at: datetime
    urged_at: datetime


CLOSURE_EVENTS: tuple[type[Event], ...] = (
    ClosureOpened,
    ResponsibilityMoved,
    ReturnNoted,
    SignForNoted,
    DisposalStarted,
    DisposalReported,
    VerificationPassed,
    VerificationFailed,
    ReworkOrdered,
    CaseClosed,
    CallbackRecorded,
    CallbackHeld,
    CaseReopened,
    SatisfactionReviewOpened,
    ReviewDecided,
    CaseParked,
    CaseResumed,
    DeadlineExtended,
    ClosureVoided,
    DeadlineWarned,
    DeadlineOverdue,
    CaseEscalated,
    ProgressNoted,
    CaseReplied,
    CaseUrged,
)
"""Every event Closure records, in its store and on `cases.closure.v1`."""


class CallbackSubmission(Message):
    """回访结果 as the 12345 platform sends it on `callbacks.hotline.v1`: one call-back of one case."""

    type: ClassVar[str] = "closure.CallbackSubmitted"

    callback_id: str = Field(
        min_length=1, max_length=100, description="The platform's id of this call-back; sent again, it changes nothing"
    )
    case_id: UUID | None = Field(None, description="Our case id, or")
    case_number: str | None = Field(None, max_length=40, description="our case number (案件编号)")
    result: CallbackResult
    note: str | None = Field(None, max_length=1000)
    called_at: AwareDatetime

    @model_validator(mode="after")
    def _names_a_case(self) -> Self:
        if (self.case_id is None) == (self.case_number is None):
            raise ValueError("name the case by exactly one of case_id and case_number")
        return self
