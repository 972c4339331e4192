"""The base of every contract: events (facts a service recorded) and inbound messages."""

from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

SCHEMA_ID_BASE = "urn:city-cases:schema"

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the JSON data of version N of an event type into version N+1."""


class Event(BaseModel):
    """A fact a service has recorded. `type` is stable and never an import path.

    Readers are tolerant (unknown fields are ignored), so adding an optional field is
    compatible; anything else that breaks a released schema needs a new `schema_version`
    and an upcaster from the one before (docs/consumers.md, Versions).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    case_id: UUID

    @classmethod
    def schema_id(cls) -> str:
        """The `$id` of this version's JSON Schema, also sent as `ce_dataschema`."""
        return f"{SCHEMA_ID_BASE}:{cls.type}:{cls.schema_version}"


class Message(BaseModel):
    """An inbound message on a channel topic: a request, not yet a fact. Strict: typos are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def schema_id(cls) -> str:
        return f"{SCHEMA_ID_BASE}:{cls.type}:{cls.schema_version}"
