"""Intake's typed context: everything its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from casekit.eventstore import EventStore
from cityconfig.city import City
from schemas.base import Event
from schemas.intake import ReporterContact
from services.intake.application.patrol_ports import GridWatches, OfficerDirectory, PatrolViews
from services.intake.application.ports import HotlineOutbox, PublicReports, Submissions
from services.intake.domain.duplicates import DuplicatePolicy


class Sealer(Protocol):
    """Encrypts a reporter's contact, and opens it for those who may read it (adapters/crypto.py)."""

    key_id: str

    def seal(self, contact: ReporterContact, case_id: str) -> bytes: ...

    def seal_bytes(self, plain: bytes, case_id: str) -> bytes: ...

    def open(self, sealed: bytes, case_id: str) -> ReporterContact: ...

    def open_bytes(self, sealed: bytes, case_id: str) -> bytes: ...


@dataclass(frozen=True)
class Intake:
    """受理: the store, Intake's records and views, the city and its policies."""

    store: EventStore
    submissions: Submissions
    reports: PublicReports
    city: City
    sealer: Sealer
    duplicates: DuplicatePolicy
    hotline: HotlineOutbox
    officers: OfficerDirectory
    """定人、定岗: the officers' duty assignments (巡查)."""
    patrols: PatrolViews
    watches: GridWatches
    device_clock_skew: timedelta = timedelta(minutes=5)
    """How far ahead of ours a device's clock may run; a patrol time later than that is refused."""
    longest_patrol: timedelta = timedelta(hours=12)
    """A patrol still open this long after its start is finished by Intake (巡查超时)."""
    observe: Callable[[Sequence[Event]], None] = field(default=lambda events: None)
    """Counts and logs a transaction's new patrol events (adapters/patrol_metrics.py)."""
