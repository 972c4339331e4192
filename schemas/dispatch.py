"""Dispatch's contracts: routing with its reasons, confirmation, sign-for, return, review, requests, summons.

Every decision carries who took it (`*_by`, the verified actor) and when (UTC). Closure acts on
`CaseRouted`, `SelfDisposalRecorded`, `CaseVoided` and the approved extension and park.
"""

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Event
from schemas.intake import Channel, Place, ReceivedLocation
from schemas.limits import TimeUnit as TimeUnit
from schemas.limits import Urgency as Urgency

Level = Literal["district", "street", "community", "grid"]
UnitLevel = Literal["district", "street", "community"]
ReturnReason = Literal[
    "not_our_area",
    "not_our_trade",
    "duplicate",
    "cannot_locate",
    "not_urban_management",
    "insufficient_information",
    "other",
]
"""退单理由: not our area (非本辖区), not our trade (非本部门职责), duplicate (重复), cannot be located (无法定位),
not urban management at all (非城管职责), too little to act on (信息不全), other (其他, the note says why)."""
RouteKind = Literal["routing", "reroute", "reassignment", "review"]
"""首次派遣 by the rules; 重新派遣 after a return; 改派 by a dispatcher; 裁定 after review."""
VoidReason = Literal["not_found_on_site", "not_a_problem", "duplicate", "outside_jurisdiction", "other"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class TimeLimit(_Part):
    """时限: an amount of clock or working time."""

    amount: int = Field(ge=1)
    unit: TimeUnit


class StageLimits(_Part):
    """Each stage's time limit for this case: 签收 sign-for, 核实 confirmation, 处置 disposal, 核查 verification."""

    sign_for: TimeLimit | None = None
    confirmation: TimeLimit | None = None
    disposal: TimeLimit | None = None
    verification: TimeLimit | None = None


class UnitRef(_Part):
    """责任单位: a unit by its id, name and trade (专业)."""

    unit_code: str
    unit_name: str
    trade: str


class Candidate(_Part):
    """A unit the router considered, and why it was or was not chosen."""

    unit_code: str
    unit_name: str
    trade: str
    level: UnitLevel
    covers: str | None = Field(None, description="The jurisdiction code through which it covers the case's place")
    chosen: bool
    why: str


class RoutingReason(_Part):
    """为什么派给它: the rule, the area and the candidates behind a routing decision."""

    rule_id: str
    rule: str = Field(description="The rule in words, as the routing table states it")
    category_code: str
    urgency: Urgency
    area_code: str | None = Field(description="The finest jurisdiction of the case's place")
    area_level: Level | None
    lead_trade: str
    assisting_trades: list[str] = Field(default_factory=list)
    level: UnitLevel = Field(description="The level the rule routes at")
    direct_to_street: bool = Field(False, description="街乡镇直派: straight to the street")
    candidates: list[Candidate] = Field(default_factory=list)
    fallback: str | None = Field(None, description="Why a coarser level was used, when the rule's level had no unit")
    excluded: list[str] = Field(default_factory=list, description="Units left out: they returned the case")


class AssignmentOpened(Event):
    """派遣受理: Dispatch took in a new case with the facts its routing depends on."""

    type: ClassVar[str] = "dispatch.AssignmentOpened"

    case_number: str | None = None
    channel: Channel
    category_code: str
    urgency: Urgency
    place: Place | None = None
    location: ReceivedLocation | None = None
    received_at: datetime
    opened_at: datetime
    reply_due_at: datetime | None = Field(
        None, description="The 12345 work order's due time: the reply is owed by then"
    )
    work_order_no: str | None = Field(None, description="工单编号: a 12345 work order; the hotline decides its "
                                                        "returns and extensions")  # fmt: skip


class ConfirmationRequested(Event):
    """待核实: the area's grid members must confirm the report on site before it is dispatched."""

    type: ClassVar[str] = "dispatch.ConfirmationRequested"

    area_code: str | None
    limit: TimeLimit
    due_at: datetime
    requested_at: datetime


class CaseConfirmed(Event):
    """核实通过: a grid member found the problem on site."""

    type: ClassVar[str] = "dispatch.CaseConfirmed"

    confirmed_by: str
    note: str | None = None
    late: bool
    confirmed_at: datetime


class ConfirmationOverdue(Event):
    """核实超时: nobody confirmed the report within its limit (flagged; it can still be confirmed)."""

    type: ClassVar[str] = "dispatch.ConfirmationOverdue"

    area_code: str | None
    due_at: datetime
    flagged_at: datetime


class CaseVoided(Event):
    """作废: the case will not be dispatched (rejected at confirmation), with the reason."""

    type: ClassVar[str] = "dispatch.CaseVoided"

    reason: VoidReason
    note: str | None = None
    stage: Literal["confirmation", "dispatch"]
    voided_by: str
    voided_at: datetime


class CaseRouted(Event):
    """派遣: the case was routed to the unit responsible for it (责任单位, the lead 主办), and why.

    The fields after `routed_at` came with the Dispatch issue; readers of the first shape still work.
    """

    type: ClassVar[str] = "dispatch.CaseRouted"

    unit_code: str
    unit_name: str
    category_code: str
    rule: str
    routed_at: datetime
    trade: str | None = None
    kind: RouteKind = "routing"
    assisting: list[UnitRef] = Field(default_factory=list, description="协办: units that assist the lead")
    reason: RoutingReason | None = None
    limits: StageLimits | None = None
    urgency: Urgency | None = None
    sign_for_due_at: datetime | None = None
    owner_final: bool = Field(False, description="责任主体唯一: set by review; the owner can no longer return it")
    routed_by: str | None = Field(None, description="The dispatcher, for a manual decision; None for the rules")
    note: str | None = None
    reply_due_at: datetime | None = Field(None, description="The 12345 work order's due time (its own clock)")


class CaseUnroutable(Event):
    """无法派遣: no rule or unit fits; the case waits for a dispatcher to route it by hand."""

    type: ClassVar[str] = "dispatch.CaseUnroutable"

    reason: str
    category_code: str
    area_code: str | None = None
    flagged_at: datetime


class CaseSignedFor(Event):
    """签收: a unit took the case on (the lead, or an assisting unit for its part)."""

    type: ClassVar[str] = "dispatch.CaseSignedFor"

    unit_code: str
    role: Literal["lead", "assist"]
    late: bool = False
    signed_by: str
    signed_at: datetime


class CaseReturned(Event):
    """退单: the lead unit says the case is not its own; it goes back to the dispatcher."""

    type: ClassVar[str] = "dispatch.CaseReturned"

    unit_code: str
    reason: ReturnReason
    note: str | None = None
    basis: str | None = Field(None, description="依据: the rule or fact the return rests on")
    returns: int = Field(description="Returns of this case so far, this one included")
    returned_by: str
    returned_at: datetime


class ReturnRequested(Event):
    """退单申请: the lead unit asked to return a 12345 work order; the hotline decides (改派 or 驳回)."""

    type: ClassVar[str] = "dispatch.ReturnRequested"

    unit_code: str
    reason: ReturnReason
    note: str | None = None
    basis: str | None = Field(None, description="依据")
    returns: int = Field(description="Returns of this case so far, this one included")
    requested_by: str
    requested_at: datetime


class ReturnRefused(Event):
    """驳回: the hotline rejected the return; the unit keeps the case."""

    type: ClassVar[str] = "dispatch.ReturnRefused"

    unit_code: str
    note: str | None = None
    decided_by: str
    decided_at: datetime


class ReviewOpened(Event):
    """争议审核: returned twice, the case goes to review, where a dispatcher names its single owner."""

    type: ClassVar[str] = "dispatch.ReviewOpened"

    returns: int
    returned_by_units: list[str]
    opened_at: datetime


class AssistReported(Event):
    """协办反馈: an assisting unit reports its part done."""

    type: ClassVar[str] = "dispatch.AssistReported"

    unit_code: str
    note: str
    reported_by: str
    reported_at: datetime


class ExtensionRequested(Event):
    """延期申请: the lead unit asks for more time to dispose of the case."""

    type: ClassVar[str] = "dispatch.ExtensionRequested"

    unit_code: str
    days: int = Field(ge=1)
    reason: str
    requested_by: str
    requested_at: datetime
    basis: str | None = Field(None, description="依据 (法定时限, the rule that allows it)")
    new_due_at: datetime | None = Field(None, description="延期后截止时间 asked for: the hotline's due, moved")


class ExtensionApproved(Event):
    """延期批准: the dispatcher granted the extension; Closure moves the disposal deadline."""

    type: ClassVar[str] = "dispatch.ExtensionApproved"

    unit_code: str
    days: int
    note: str | None = None
    decided_by: str
    decided_at: datetime
    new_reply_due_at: datetime | None = Field(None, description="The hotline's due time, as it granted it")


class ExtensionRefused(Event):
    """延期驳回: the dispatcher refused the extension; the deadline stands."""

    type: ClassVar[str] = "dispatch.ExtensionRefused"

    unit_code: str
    days: int
    note: str | None = None
    decided_by: str
    decided_at: datetime


class ParkRequested(Event):
    """挂账申请: the lead unit asks to park a case that cannot be solved now."""

    type: ClassVar[str] = "dispatch.ParkRequested"

    unit_code: str
    reason: str
    requested_by: str
    requested_at: datetime


class ParkApproved(Event):
    """挂账批准: the case is parked; Closure stops its clock until it resumes."""

    type: ClassVar[str] = "dispatch.ParkApproved"

    unit_code: str
    reason: str
    note: str | None = None
    decided_by: str
    decided_at: datetime


class ParkRefused(Event):
    """挂账驳回: the case stays open with its deadlines."""

    type: ClassVar[str] = "dispatch.ParkRefused"

    unit_code: str
    reason: str
    note: str | None = None
    decided_by: str
    decided_at: datetime


class ParkEnded(Event):
    """恢复办理: Closure resumed the case parked here; it may be parked again."""

    type: ClassVar[str] = "dispatch.ParkEnded"

    unit_code: str
    resumed_by: str
    """Who resumed it in Closure."""
    resumed_at: datetime


class SelfDisposalRecorded(Event):
    """自行处置: a grid member fixed it on the spot; it goes to Closure for verification, not to a unit."""

    type: ClassVar[str] = "dispatch.SelfDisposalRecorded"

    area_code: str | None
    photo_url: str | None = None
    recorded_at: datetime
    disposed_by: str | None = Field(None, description="Who fixed it (the reporter), so someone else verifies it")
    category_code: str | None = None
    unit_code: str | None = Field(None, description="The unit the rules would have routed it to, which answers "
                                                    "for it if verification fails")  # fmt: skip


class SummonedDepartment(_Part):
    """A department summoned to report in: a unit of the city's table, or a name the whistle gave."""

    key: str = Field(description="How report-ins name it: the unit id, or the name as given")
    unit_code: str | None = None
    unit_name: str = Field(description="The unit's name, or the department as the whistle named it")


class SummonsIssued(Event):
    """吹哨: departments are summoned to the site and must report in (报到) by `due_at`."""

    type: ClassVar[str] = "dispatch.SummonsIssued"

    summons_id: UUID
    source: Literal["whistle", "dispatcher"]
    community_code: str | None = None
    departments: list[SummonedDepartment]
    limit_minutes: int
    due_at: datetime
    issued_by: str
    issued_at: datetime


class DepartmentReportedIn(Event):
    """报到: a summoned department arrived on site."""

    type: ClassVar[str] = "dispatch.DepartmentReportedIn"

    summons_id: UUID
    department: str
    late: bool
    reported_by: str
    reported_at: datetime


class DepartmentLate(Event):
    """报到超时: a summoned department had not reported in by the deadline."""

    type: ClassVar[str] = "dispatch.DepartmentLate"

    summons_id: UUID
    department: str
    due_at: datetime
    flagged_at: datetime


DISPATCH_EVENTS: tuple[type[Event], ...] = (
    AssignmentOpened,
    ConfirmationRequested,
    CaseConfirmed,
    ConfirmationOverdue,
    CaseVoided,
    CaseRouted,
    CaseUnroutable,
    CaseSignedFor,
    CaseReturned,
    ReturnRequested,
    ReturnRefused,
    ReviewOpened,
    AssistReported,
    ExtensionRequested,
    ExtensionApproved,
    ExtensionRefused,
    ParkRequested,
    ParkApproved,
    ParkRefused,
    ParkEnded,
    SelfDisposalRecorded,
    SummonsIssued,
    DepartmentReportedIn,
    DepartmentLate,
)
"""Every event Dispatch records, in its store and on `cases.dispatch.v1`."""
