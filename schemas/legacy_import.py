"""历史案件导入: one row of a legacy digital city management system's export (docs/legacy-import.md).

`case_number, source, category_code, grid_code, description, reported_at, dispatched_at, unit_code,
disposal_due_at, disposed_at, closed_at, closure_kind, voided_at, rework_count, satisfaction`:
instants ISO 8601 with an offset, an empty cell for what did not happen. A row that breaks a rule
is refused whole, with its line and the reason; the city's codes are checked by the importer.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Literal
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.closure import CallbackResult, ClosureKind
from schemas.intake import Channel

COLUMNS = (
    "case_number",
    "source",
    "category_code",
    "grid_code",
    "description",
    "reported_at",
    "dispatched_at",
    "unit_code",
    "disposal_due_at",
    "disposed_at",
    "closed_at",
    "closure_kind",
    "voided_at",
    "rework_count",
    "satisfaction",
)
LegacySource = Literal["patrol", "hotline", "whistle", "public"]
CHANNELS: dict[str, Channel] = {"patrol": "grid", "hotline": "hotline", "whistle": "whistle", "public": "public"}
NAMESPACE = UUID("8f6b1c2e-4d0a-5b7e-9c31-0a2f6d4e8b15")
"""Imported case ids are uuid5(NAMESPACE, case number): the same row always makes the same case."""


class LegacyCase(BaseModel):
    """One imported case, checked on its own (times in order, a closing only after a disposal…)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    case_number: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z\-_/]+$")
    source: LegacySource
    category_code: str = Field(pattern=r"^\d{5}$")
    grid_code: str = Field(pattern=r"^\d{15}$")
    description: str = Field(min_length=1, max_length=2000)
    reported_at: AwareDatetime
    dispatched_at: AwareDatetime | None = None
    unit_code: str | None = Field(None, min_length=1, max_length=64)
    disposal_due_at: AwareDatetime | None = None
    disposed_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    closure_kind: ClosureKind | None = None
    voided_at: AwareDatetime | None = None
    rework_count: int = Field(0, ge=0, le=50)
    satisfaction: CallbackResult | None = None

    @field_validator("*", mode="before")
    @classmethod
    def empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip() == "" else value

    @field_validator("rework_count", mode="before")
    @classmethod
    def no_rework_when_empty(cls, value: object) -> object:
        return 0 if value is None else value

    @model_validator(mode="after")
    def consistent(self) -> LegacyCase:
        if self.dispatched_at is not None and (self.unit_code is None or self.disposal_due_at is None):
            raise ValueError("a dispatched case needs unit_code and disposal_due_at")
        if self.disposed_at is not None and self.dispatched_at is None:
            raise ValueError("disposed_at without dispatched_at")
        if self.closed_at is not None and self.disposed_at is None:
            raise ValueError("closed_at without disposed_at")
        if (self.closed_at is None) != (self.closure_kind is None):
            raise ValueError("closure_kind is given exactly when closed_at is")
        if self.satisfaction is not None and self.closed_at is None:
            raise ValueError("satisfaction without closed_at")
        if self.voided_at is not None and self.closed_at is not None:
            raise ValueError("a case is either voided or closed")
        if self.rework_count and self.disposed_at is None:
            raise ValueError("rework_count without disposed_at")
        order = [
            ("reported_at", self.reported_at),
            ("dispatched_at", self.dispatched_at),
            ("disposed_at", self.disposed_at),
            ("closed_at", self.closed_at),
        ]
        present = [(name, at) for name, at in order if at is not None]
        for (earlier, a), (later, b) in pairwise(present):
            if b < a:
                raise ValueError(f"{later} is before {earlier}")
        if self.voided_at is not None and self.voided_at < self.reported_at:
            raise ValueError("voided_at is before reported_at")
        return self

    @property
    def case_id(self) -> UUID:
        return uuid5(NAMESPACE, self.case_number)

    @property
    def channel(self) -> Channel:
        return CHANNELS[self.source]

    @property
    def last_instant(self) -> datetime:
        return max(
            t
            for t in (self.reported_at, self.dispatched_at, self.disposed_at, self.closed_at, self.voided_at)
            if t is not None
        )
