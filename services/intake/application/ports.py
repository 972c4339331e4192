"""What Intake's use cases need from storage, and the typed rows it gives back.

Implemented in adapters/submissions.py (keys, case numbers, the submission's write) and
adapters/views/reports.py (the public view of each case, 公开状态).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from casekit.eventstore import Connection
from casekit.writes import NewEvents
from schemas.hotline import OutboundMessage
from services.intake.domain.duplicates import OpenCase
from services.intake.domain.public_status import StatusChange


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """One case as the public sees it: where it stands, who has it, what was said last."""

    case_id: UUID
    case_number: str
    channel: str
    category_code: str
    description: str
    lat: float | None
    lon: float | None
    address: str | None
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    external_id: str | None
    photo_urls: list[str]
    needs_confirmation: bool
    received_at: datetime
    linked_to: UUID | None
    linked_number: str | None
    """并单: the case number of the open case this report was merged into."""
    status: str
    status_note: str | None
    unit_code: str | None
    unit_name: str | None
    expected_at: datetime | None
    updated_at: datetime
    patrol_id: UUID | None = None
    """巡查: the patrol a grid report was filed during (written with it, not read back by the public view)."""
    finding: str | None = None
    """巡查交办: a grid report's outcome (fixed_on_spot, own_powers, handed_over)."""
    reported_by: str | None = None
    """The verified actor who filed it, for the officer's work log."""


@dataclass(frozen=True)
class IdempotencyKey:
    """A retry key, scoped to the client that sent it, with a fingerprint of what it was sent with."""

    key: str
    fingerprint: str


@dataclass(frozen=True)
class KeyedCase:
    case_id: UUID
    fingerprint: str
    key: str


@dataclass(frozen=True)
class Sealed:
    """What a submission keeps encrypted: the reporter's contact, and free text before masking."""

    key_id: str
    contact: bytes | None
    text: bytes | None


class KeyTaken(Exception):
    """A concurrent submission claimed one of the idempotency keys first (the adapter's unique violation)."""


class Submissions(Protocol):
    async def cases_for_keys(self, conn: Connection, keys: Sequence[IdempotencyKey]) -> list[KeyedCase]: ...

    async def next_sequence(self, prefix: str, day: date, conn: Connection | None) -> int:
        """A number never handed out before for (prefix, day); `conn`, if given, is outside any transaction."""

    async def record(
        self,
        conn: Connection,
        new: NewEvents,
        keys: Sequence[IdempotencyKey],
        sealed: Sealed,
        report: ReportSummary,
    ) -> None:
        """Append the events and write keys, sealed data, the report and its first change in one round trip.

        Raises KeyTaken when a concurrent request claimed a key first.
        """


class PublicReports(Protocol):
    async def summary(self, conn: Connection, case_id: UUID) -> ReportSummary | None: ...

    async def case_by_number(self, conn: Connection, case_number: str) -> UUID | None: ...

    async def open_cases_near(
        self, conn: Connection, category_code: str, lat: float, lon: float, box: tuple[float, float], since: datetime
    ) -> list[OpenCase]: ...

    async def record_change(self, conn: Connection, case_id: UUID, change: StatusChange) -> list[UUID]:
        """Log a change for the case and every report merged into it (the callbacks' source); the ids."""


class HotlineOutbox(Protocol):
    """What a message to the 12345 hotline owes: its deliveries (adapters/hotline_jobs.py)."""

    async def owe(self, conn: Connection, message: OutboundMessage) -> None:
        """Enqueue its deliveries in the caller's transaction, after the append that recorded it."""
