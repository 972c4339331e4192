"""Released versions that are no longer written but may still be read (replay, old messages).

Frozen: never change a model here. Readers get the current version through the upcasters.
"""

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from schemas.base import Event
from schemas.intake import Channel


class LocationV1(BaseModel):
    """Where the problem is, WGS-84 degrees."""

    model_config = ConfigDict(frozen=True)

    lat: float
    lon: float


class ReportReceivedV1(Event):
    """受理, version 1: Intake accepted a report and opened a case for it."""

    type: ClassVar[str] = "intake.ReportReceived"
    schema_version: ClassVar[int] = 1

    channel: Channel
    category_code: str
    description: str
    location: LocationV1
    external_id: str | None = None
    received_at: datetime
