"""The base of every event contract."""

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """A fact a service has recorded. `type` is stable and never an import path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    case_id: UUID


class Message(BaseModel):
    """An inbound message on a channel topic: a request, not yet a fact."""

    model_config = ConfigDict(frozen=True, extra="forbid")
