"""Intake's contracts: the report a channel submits, and what Intake records and publishes."""

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from schemas.base import Event, Message
from schemas.limits import TimeUnit, Urgency

Channel = Literal["whistle", "grid", "hotline", "public"]
"""社区吹哨 community whistle, 网格员巡查 grid patrol, 12345 接诉即办 hotline, public (Open311, web)."""

CoordinateSystem = Literal["WGS84", "GCJ02", "BD09", "CGCS2000"]
"""WGS-84 (GPS), GCJ-02 (AMap, Tencent maps), BD-09 (Baidu maps), CGCS2000 (the national datum)."""

GridCode = Annotated[str, Field(pattern=r"^\d{15}$", description="单元网格 unit-grid code, 15 digits")]
CommunityCode = Annotated[str, Field(pattern=r"^\d{12}$", description="社区 community code, 12 digits")]
PhotoUrl = Annotated[HttpUrl, Field(description="http(s) URL of a photo")]
PII: dict[str, Any] = {"x-pii": True}
NOT_BLANK = r"\S"
"""Some character that is not white space (space, tab, U+3000 全角空格): "   " describes nothing (issue 9)."""


class Location(BaseModel):
    """Where the problem is: a point (in a named coordinate system), an address, a unit grid, or several."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    crs: CoordinateSystem = Field("WGS84", description="Coordinate system of lat/lon")
    address: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK)
    grid_code: GridCode | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        if self.lat is None and self.address is None and self.grid_code is None:
            raise ValueError("missing location: give lat/lon, an address or a unit-grid code")
        return self


class ReporterContact(BaseModel):
    """The reporter's contact: personal data, kept encrypted in Intake and never published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(None, max_length=50, pattern=NOT_BLANK, json_schema_extra=PII)
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9\- ]{4,19}$", json_schema_extra=PII)


class Whistle(BaseModel):
    """社区吹哨: the community that blew the whistle and the departments it summons to report in (报到)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community_code: CommunityCode
    summoned_departments: list[Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]] = Field(
        default_factory=list, max_length=20
    )


WorkOrderNo = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z][0-9A-Za-z_\-]*$", description="工单编号")
]
FindingOutcome = Literal["fixed_on_spot", "own_powers", "handed_over"]
"""The three outcomes of a patrol's finding (巡查交办): 当场处置 fixed on the spot (self-disposal,
verified by someone else), 权限内自行处理 handled under the officer's own powers (a case the
officer's unit owns), 交办 handed over to the responsible unit (an ordinary routed case)."""
AppealKind = Literal["consultation", "help", "complaint", "report", "suggestion"]
"""诉求类型: 咨询 consultation, 求助 help, 投诉 complaint, 举报 report (of wrongdoing), 建议 suggestion."""


class HotlineTerms(BaseModel):
    """What the hotline set for the work order, beside the report itself: no personal data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    work_order_no: WorkOrderNo
    title: str | None = Field(None, max_length=200, description="工单标题")
    appeal_kind: AppealKind = Field(description="诉求类型: 咨询/求助/投诉/举报/建议")
    urgency: Urgency = Field("normal", description="紧急程度")
    time_limit: int = Field(ge=1, le=365, description="处理时限")
    time_unit: TimeUnit = Field(description="时限单位")
    due_at: AwareDatetime = Field(description="办理截止时间: the hotline's own deadline for the final reply")
    dispatched_at: AwareDatetime = Field(description="派单时间")
    reply_required: bool = Field(True, description="是否需要回复")
    confidential: bool = Field(False, description="是否保密: the caller's identity is not shown to the unit")
    previous_work_order_no: WorkOrderNo | None = Field(None, description="旧工单编号")


class ReportSubmission(Message):
    """A report (上报) as a channel submits it, over HTTP or its inbound Kafka topic."""

    type: ClassVar[str] = "intake.ReportSubmitted"

    channel: Channel
    category_code: str = Field(pattern=r"^\d{5}$", description="Catalogue code, e.g. 01001 供水井盖")
    description: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    location: Location
    occurred_at: AwareDatetime | None = Field(None, description="When the problem was seen")
    photo_urls: list[PhotoUrl] = Field(default_factory=list, max_length=9)
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=NOT_BLANK,
        description="The source system's id, e.g. the 12345 work-order number (工单编号)",
    )
    deadline_at: AwareDatetime | None = Field(None, description="The source system's own deadline, if it sets one")
    reporter: ReporterContact | None = None
    self_disposed: bool = Field(False, description="自行处置: a grid member fixed it on the spot")
    self_disposal_photo_url: PhotoUrl | None = None
    whistle: Whistle | None = None
    hotline: HotlineTerms | None = Field(None, description="接诉即办: the 12345 work order's own terms")
    patrol_id: UUID | None = Field(None, description="巡查: the patrol during which a grid report was filed")
    own_powers: bool = Field(
        False, description="权限内自行处理: an officer acts on it under their own powers; their unit owns the case"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.hotline is not None and (self.channel != "hotline" or self.external_id != self.hotline.work_order_no):
            raise ValueError("a 12345 work order is a hotline report whose external_id is its work-order number")
        if (self.patrol_id is not None or self.own_powers) and self.channel != "grid":
            raise ValueError("patrol_id and own_powers are for grid reports (网格员巡查) only")
        if self.own_powers and self.self_disposed:
            raise ValueError("a finding is fixed on the spot (self_disposed) or handled under own powers, not both")
        if self.self_disposed and (self.channel != "grid" or self.self_disposal_photo_url is None):
            raise ValueError("only a grid member can mark a report fixed on the spot, with a photo")
        if (self.channel == "whistle") != (self.whistle is not None):
            raise ValueError("a whistle report, and only a whistle report, names its community (whistle)")
        if self.deadline_at and self.occurred_at and self.deadline_at <= self.occurred_at:
            raise ValueError("deadline_at must be after occurred_at")
        return self


class ReportedLocation(BaseModel):
    """The point as the reporter sent it, before conversion to WGS-84."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float
    crs: CoordinateSystem


class ReceivedLocation(BaseModel):
    """The point in WGS-84, and the original it was converted from."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float
    crs: Literal["WGS84"] = "WGS84"
    reported: ReportedLocation | None = None


class Place(BaseModel):
    """The jurisdictions a report falls in (区 → 街道 → 社区 → 单元网格)."""

    model_config = ConfigDict(frozen=True)

    district_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    grid_code: str | None = None


class ReportReceived(Event):
    """受理: Intake accepted a report and opened a case for it.

    v3: `location` may be null (a report located by address or unit grid only), and the
    report records its case number, place, confirmation need and more; see schemas/upcasting.py.
    """

    type: ClassVar[str] = "intake.ReportReceived"
    schema_version: ClassVar[int] = 3

    case_number: str | None = Field(None, description="案件编号, e.g. HL-20261124-000123 (absent before v3)")
    channel: Channel
    category_code: str
    description: str
    location: ReceivedLocation | None
    address: str | None = None
    place: Place | None = None
    occurred_at: datetime | None = None
    photo_urls: list[str] = Field(default_factory=list)
    external_id: str | None = None
    source_deadline_at: datetime | None = None
    needs_confirmation: bool = Field(False, description="核实: confirm on site before dispatch")
    self_disposed: bool = False
    self_disposal_photo_url: str | None = None
    self_disposed_by: str | None = Field(None, description="自行处置: the verified actor who fixed it on the spot")
    whistle: Whistle | None = None
    hotline: HotlineTerms | None = Field(None, description="接诉即办: the 12345 work order's terms (no personal data)")
    patrol_id: UUID | None = Field(None, description="巡查: the patrol during which it was filed")
    finding: FindingOutcome | None = Field(None, description="巡查交办: a grid report's outcome")
    own_powers_unit: str | None = Field(
        None, description="权限内自行处理: the reporting officer's unit, which owns the case (no routing)"
    )
    received_at: datetime


class ReportLinked(Event):
    """并单: a report of a problem that already has an open case, linked to it instead of opening another."""

    type: ClassVar[str] = "intake.ReportLinked"

    case_number: str
    linked_to_case_id: UUID = Field(description="The open case this report duplicates")
    channel: Channel
    category_code: str
    distance_m: float
    external_id: str | None = None
    received_at: datetime
