"""Intake's contracts: the report a channel submits and the fact that Intake received it."""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Event, Message

Channel = Literal["whistle", "grid", "hotline"]
"""社区吹哨 community whistle, 网格员巡查 grid patrol, 12345 接诉即办 hotline."""

CoordinateSystem = Literal["WGS84", "GCJ02", "CGCS2000"]
"""WGS-84 (GPS), GCJ-02 (the offset system of Chinese web maps), CGCS2000 (the national datum)."""


class Location(BaseModel):
    """Where the problem is: latitude and longitude in degrees, in a named coordinate system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    crs: CoordinateSystem = Field("WGS84", description="Coordinate system of lat/lon")


class ReportSubmission(Message):
    """A report (上报) as a channel submits it, over HTTP or its inbound Kafka topic."""

    type: ClassVar[str] = "intake.ReportSubmitted"

    channel: Channel
    category_code: str = Field(pattern=r"^\d{5}$", description="Catalogue code, e.g. 01001 供水井盖")
    description: str = Field(min_length=1, max_length=2000)
    location: Location
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The source system's id, e.g. the 12345 work-order number (工单编号)",
    )


class ReceivedLocation(BaseModel):
    """Where the problem is, with its coordinate system always stated (v2 of the event)."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float
    crs: CoordinateSystem


class ReportReceived(Event):
    """受理: Intake accepted a report and opened a case for it.

    v2: `location.crs` is required (v1 had WGS-84 degrees implicitly); see schemas/upcasting.py.
    """

    type: ClassVar[str] = "intake.ReportReceived"
    schema_version: ClassVar[int] = 2

    channel: Channel
    category_code: str
    description: str
    location: ReceivedLocation
    external_id: str | None = None
    received_at: datetime
