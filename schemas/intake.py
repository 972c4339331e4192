"""Intake's contracts: the report a channel submits and the fact that Intake received it."""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Event, Message

Channel = Literal["whistle", "grid", "hotline"]
"""社区吹哨 community whistle, 网格员巡查 grid patrol, 12345 接诉即办 hotline."""


class Location(BaseModel):
    """Where the problem is, WGS-84 degrees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ReportSubmission(Message):
    """A report (上报) as a channel submits it, over HTTP or its inbound Kafka topic."""

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


class ReportReceived(Event):
    """受理: Intake accepted a report and opened a case for it."""

    type: ClassVar[str] = "intake.ReportReceived"

    channel: Channel
    category_code: str
    description: str
    location: Location
    external_id: str | None = None
    received_at: datetime
