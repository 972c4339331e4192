"""Released versions that are no longer written but may still be read (replay, old messages).

Frozen: never change a model here. Readers get the current version through the upcasters.
"""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from schemas.base import Event

ChannelV1 = Literal["whistle", "grid", "hotline"]


class LocationV1(BaseModel):
    """Where the problem is, WGS-84 degrees."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float


class ReportReceivedV1(Event):
    """受理, version 1: Intake accepted a report and opened a case for it."""

    type: ClassVar[str] = "intake.ReportReceived"
    schema_version: ClassVar[int] = 1

    channel: ChannelV1
    category_code: str
    description: str
    location: LocationV1
    external_id: str | None = None
    received_at: datetime


class ReceivedLocationV2(BaseModel):
    """Where the problem is, with its coordinate system always stated (v2 of the event)."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float
    crs: Literal["WGS84", "GCJ02", "CGCS2000"]


class ReportReceivedV2(Event):
    """受理, version 2: `location.crs` became required (v1 had WGS-84 degrees implicitly)."""

    type: ClassVar[str] = "intake.ReportReceived"
    schema_version: ClassVar[int] = 2

    channel: ChannelV1
    category_code: str
    description: str
    location: ReceivedLocationV2
    external_id: str | None = None
    received_at: datetime
