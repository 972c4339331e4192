"""The 12345 hotline's contracts (接诉即办): the work order it pushes, the decisions and call-backs it
sends back, the messages we send it, and the facts Intake records of that conversation.

Field names follow the hotline's own integration code (docs/hotline.md, from real systems); each
field's Chinese name is its description, so the OpenAPI document reads as the hotline's side does.
Times: any ISO 8601 instant with its offset comes in; what goes out is in the city's time zone.
"""

from datetime import datetime
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.base import SCHEMA_ID_BASE, Event
from schemas.intake import NOT_BLANK, PII, AppealKind, CoordinateSystem, GridCode, HotlineTerms, PhotoUrl, WorkOrderNo
from schemas.limits import TimeUnit, Urgency

Outcome = Literal["solved", "unsolved", "partly_solved", "not_handled"]
"""办理结果: 0 解决 solved, 1 未解决 unsolved, 2 部分解决 partly solved, 3 不办理/退单 not handled."""
OUTCOME_CODES: dict[Outcome, int] = {"solved": 0, "unsolved": 1, "partly_solved": 2, "not_handled": 3}
"""The hotline's 办理结果 codes (banliResult 0/1/2/3)."""
ReplyMethod = Literal["phone", "sms", "in_person", "online"]
"""答复方式: 电话, 短信, 当面, 网上."""
ProgressKind = Literal["contacted", "not_contacted", "on_site"]
"""办理进展: 已联系诉求人, 未能联系 (with the reason), 已到场."""
Solved = Literal["solved", "partly_solved", "unsolved"]
"""回访 问题是否解决: 已解决, 部分解决, 未解决."""
Satisfaction = Literal["very_satisfied", "satisfied", "understanding", "unsatisfied"]
"""回访 满意度 on the city's four-step scale: 3 非常满意, 2 满意, 1 理解 (基本满意), 0 不满意."""
NoticeKind = Literal["urge", "supervise"]
"""催办 (the hotline urges a late or slow work order) or 督办 (it puts the work order under supervision)."""
MessageKind = Literal["sign_for", "return_request", "extension_request", "progress", "reply"]
"""What we send: 签收, 退单申请, 延期申请, 办理进展, 办结回复."""

_Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Caller(_In):
    """来电人: personal data, kept encrypted in Intake and never published."""

    name: str | None = Field(None, max_length=50, pattern=NOT_BLANK, description="来电人姓名",
                             json_schema_extra=PII)  # fmt: skip
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9\- ]{4,19}$", description="来电号码/联系方式",
                              json_schema_extra=PII)  # fmt: skip


class Point(_In):
    """地图坐标."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="纬度")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="经度")
    crs: CoordinateSystem = Field("WGS84", description="坐标系")


class WorkOrder(_In):
    """派单/交办: a work order (工单) as the 12345 hotline pushes it."""

    work_order_no: WorkOrderNo
    received_at: AwareDatetime = Field(description="来电时间")
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK, description="工单标题")
    content: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK, description="诉求内容(主要内容)")
    appeal_kind: AppealKind = Field(description="诉求类型: consultation 咨询, help 求助, complaint 投诉, report 举报, "
                                                "suggestion 建议")  # fmt: skip
    category_code: str = Field(pattern=r"^\d{5}$", description="问题分类编码 (the city's catalogue, e.g. 01001)")
    address: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK, description="事发地/详细地址")
    location: Point | None = Field(None, description="地图坐标")
    grid_code: GridCode | None = Field(None, description="单元网格编码, when the hotline knows it")
    urgency: Urgency = Field("normal", description="紧急程度: urgent 紧急, normal 一般, low 不急")
    dispatch_note: str | None = Field(None, max_length=1000, description="派单意见")
    dispatched_at: AwareDatetime = Field(description="派单时间")
    time_limit: int = Field(ge=1, le=365, description="处理时限")
    time_unit: TimeUnit = Field(description="时限单位: minutes, hours, working_hours 工作小时, working_days 工作日")
    due_at: AwareDatetime = Field(description="办理截止时间: the final reply (办结) is due by then")
    reply_required: bool = Field(True, description="是否需要回复")
    confidential: bool = Field(False, description="是否保密")
    caller: Caller | None = Field(None, description="来电人 (personal data)")
    photo_urls: list[PhotoUrl] = Field(default_factory=list, max_length=9, description="附件照片")
    previous_work_order_no: WorkOrderNo | None = Field(None, description="旧工单编号")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.address is None and self.location is None and self.grid_code is None:
            raise ValueError("missing location: give the address (事发地), the point (地图坐标) or the unit grid")
        if self.due_at <= self.dispatched_at:
            raise ValueError("due_at (办理截止时间) must be after dispatched_at (派单时间)")
        return self

    def terms(self) -> HotlineTerms:
        return HotlineTerms(
            work_order_no=self.work_order_no, title=self.title, appeal_kind=self.appeal_kind, urgency=self.urgency,
            time_limit=self.time_limit, time_unit=self.time_unit, due_at=self.due_at,
            dispatched_at=self.dispatched_at, reply_required=self.reply_required, confidential=self.confidential,
            previous_work_order_no=self.previous_work_order_no,
        )  # fmt: skip


# --- What the hotline sends back --------------------------------------------------------------


class ReturnDecision(_In):
    """退单审核结果: the hotline approves our return (同意, it re-dispatches: 改派) or rejects it (驳回)."""

    decision: Literal["approved", "rejected"] = Field(description="approved 同意改派, rejected 驳回")
    opinion: str | None = Field(None, max_length=1000, description="审核意见")
    decided_at: AwareDatetime = Field(description="审核时间")


class ExtensionDecision(_In):
    """延期审核结果: the hotline approves our extension (with the due time it grants) or rejects it."""

    decision: Literal["approved", "rejected"] = Field(description="approved 同意延期, rejected 驳回")
    new_due_at: AwareDatetime | None = Field(None, description="延期后截止时间, as the hotline grants it")
    opinion: str | None = Field(None, max_length=1000, description="审核意见")
    decided_at: AwareDatetime = Field(description="审核时间")

    @model_validator(mode="after")
    def _granted(self) -> Self:
        if (self.decision == "approved") != (self.new_due_at is not None):
            raise ValueError("an approved extension, and only an approved one, gives new_due_at (延期后截止时间)")
        return self


class HotlineCallback(_In):
    """回访: the hotline called the resident back."""

    callback_id: str = Field(min_length=1, max_length=100, description="回访编号: sent again, it changes nothing")
    visited_at: AwareDatetime = Field(description="回访时间")
    connected: bool = Field(description="是否接通")
    staff_contacted_citizen: bool | None = Field(None, description="工作人员是否联系市民")
    solved: Solved | None = Field(None, description="问题是否解决")
    satisfaction: Satisfaction | None = Field(None, description="是否满意: very_satisfied 非常满意, satisfied 满意, "
                                                                "understanding 理解, unsatisfied 不满意")  # fmt: skip
    dissatisfaction_reason: str | None = Field(None, max_length=1000, description="不满意原因")
    opinion: str | None = Field(None, max_length=1000, description="回访意见")

    @model_validator(mode="after")
    def _answered(self) -> Self:
        if self.connected and self.satisfaction is None:
            raise ValueError("a connected call-back gives the resident's satisfaction (是否满意)")
        if not self.connected and (self.satisfaction is not None or self.solved is not None):
            raise ValueError("a call-back that did not connect records no answer")
        return self


class Notice(_In):
    """催办 or 督办: the hotline urges the work order, or puts it under supervision."""

    notice_no: str = Field(min_length=1, max_length=64, description="催办单号/督办单号: sent again, it changes nothing")
    kind: NoticeKind = Field(description="urge 催办, supervise 督办")
    opinion: str | None = Field(None, max_length=1000, description="催办/督办意见")
    issued_at: AwareDatetime = Field(description="催办/督办时间")


# --- What we send the hotline -----------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SignFor(_Out):
    """签收: the responsible unit signed for the work order."""

    kind: Literal["sign_for"] = "sign_for"
    unit_code: str = Field(description="承办单位编码")
    unit_name: str | None = Field(None, description="承办单位名称")
    signed_at: datetime = Field(description="签收时间")


class ReturnRequest(_Out):
    """退单申请: the unit asks the hotline to take the work order back (理由和依据)."""

    kind: Literal["return_request"] = "return_request"
    unit_code: str = Field(description="退回单位")
    reason: str = Field(description="退回原因 (the code of our return reason)")
    reason_text: str = Field(description="退回原因说明")
    basis: str | None = Field(None, description="依据")
    return_count: int = Field(description="退回次数")
    returned_at: datetime = Field(description="退回时间")


class ExtensionRequest(_Out):
    """延期申请: more time, with the days, the due time asked for, the reason and the basis."""

    kind: Literal["extension_request"] = "extension_request"
    unit_code: str
    extension_days: int = Field(description="延期天数 (working days)")
    new_due_at: datetime | None = Field(None, description="延期后截止日期")
    reason: str = Field(description="延期原因")
    basis: str | None = Field(None, description="依据")
    requested_at: datetime = Field(description="申请时间")


class Progress(_Out):
    """办理进展: contacted the resident (or could not), or on site."""

    kind: Literal["progress"] = "progress"
    progress: ProgressKind = Field(description="contacted 已联系, not_contacted 未联系, on_site 已到场")
    note: str | None = Field(None, description="说明 (未联系原因)")
    staff: str | None = Field(None, description="联系人员/到场人员: our staff, never the resident")
    at: datetime = Field(description="首次联系时间/到场时间")


class FinalReply(_Out):
    """办结: the final reply, with the outcome code the hotline ranks us by."""

    kind: Literal["reply"] = "reply"
    outcome: Outcome
    outcome_code: int = Field(description="办理结果: 0 解决, 1 未解决, 2 部分解决, 3 不办理/退单")
    summary: str = Field(description="答复要点")
    method: ReplyMethod = Field(description="答复方式")
    replied_at: datetime = Field(description="答复时间")
    solved_by: str | None = Field(None, description="处理人员")


MessageBody = SignFor | ReturnRequest | ExtensionRequest | Progress | FinalReply
"""One of the five kinds, told apart by `kind` (each a constant; no discriminator keyword, which AsyncAPI
schemas spell differently from OpenAPI)."""


class OutboundMessage(_Out):
    """One message to the hotline, POSTed (signed) and published on `hotline.outbound.v1`.

    Per work order, `sequence` counts from 1 without gaps; a receiver applies them in that order
    and deduplicates by `message_id` (delivery is at least once).
    """

    type: ClassVar[str] = "hotline.OutboundMessage"
    schema_version: ClassVar[int] = 1

    @classmethod
    def schema_id(cls) -> str:
        return f"{SCHEMA_ID_BASE}:{cls.type}:{cls.schema_version}"

    message_id: UUID
    work_order_no: WorkOrderNo
    case_id: UUID
    case_number: str | None = None
    sequence: int = Field(ge=1)
    body: MessageBody
    created_at: datetime


# --- What Intake records of the conversation (on `cases.intake.v1`) --------------------------


class HotlineMessageQueued(Event):
    """A message to the hotline is owed: the record behind each delivery and its attempts."""

    type: ClassVar[str] = "intake.HotlineMessageQueued"

    message: OutboundMessage


class HotlineReturnDecided(Event):
    """退单审核: the hotline approved (改派) or rejected (驳回) our return request."""

    type: ClassVar[str] = "intake.HotlineReturnDecided"

    work_order_no: str
    approved: bool
    opinion: str | None = None
    decided_at: datetime
    received_at: datetime


class HotlineExtensionDecided(Event):
    """延期审核: the hotline approved our extension request (until `new_due_at`) or rejected it."""

    type: ClassVar[str] = "intake.HotlineExtensionDecided"

    work_order_no: str
    approved: bool
    new_due_at: datetime | None = None
    opinion: str | None = None
    decided_at: datetime
    received_at: datetime


class HotlineCallbackReceived(Event):
    """回访: the hotline's call-back of the resident, and what it means on our scale."""

    type: ClassVar[str] = "intake.HotlineCallbackReceived"

    work_order_no: str
    callback_id: str
    connected: bool
    staff_contacted_citizen: bool | None = None
    solved: Solved | None = None
    satisfaction: Satisfaction | None = None
    result: Literal["satisfied", "basically_satisfied", "unsatisfied", "unreachable"]
    note: str | None = None
    visited_at: datetime
    received_at: datetime


class HotlineNoticeReceived(Event):
    """催办/督办: the hotline urged the work order or put it under supervision."""

    type: ClassVar[str] = "intake.HotlineNoticeReceived"

    work_order_no: str
    notice_no: str
    kind: NoticeKind
    opinion: str | None = None
    issued_at: datetime
    received_at: datetime


HOTLINE_EVENTS: tuple[type[Event], ...] = (
    HotlineMessageQueued,
    HotlineReturnDecided,
    HotlineExtensionDecided,
    HotlineCallbackReceived,
    HotlineNoticeReceived,
)
"""Intake's record of the hotline conversation, on `cases.intake.v1` beside the reports."""

SATISFACTION_RESULT: dict[Satisfaction, Literal["satisfied", "basically_satisfied", "unsatisfied"]] = {
    "very_satisfied": "satisfied",
    "satisfied": "satisfied",
    "understanding": "basically_satisfied",
    "unsatisfied": "unsatisfied",
}
"""The city's four steps on Closure's call-back scale: 理解 counts as 基本满意."""
