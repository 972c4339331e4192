"""What the patrol module needs beside the event store: the officers' duty assignments and its read models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from casekit.eventstore import Connection
from schemas.intake import FindingOutcome
from schemas.patrol import GridVisit
from services.intake.domain.patrol import OfficerDuty, Patrol


class OfficerDirectory(Protocol):
    """定人、定岗: who is assigned where (the city's duty assignments, `city.duty`)."""

    def officer(self, subject: str) -> OfficerDuty | None:
        """The officer's or grid member's assignment; None for someone with none."""
        ...

    def watched_grids(self) -> Mapping[str, timedelta]:
        """Each grid that must be patrolled, and how often at least."""
        ...


@dataclass(frozen=True)
class PatrolRow:
    """One patrol as the read model keeps it (adapters/views/patrols.py)."""

    patrol_id: UUID
    officer: str
    team: list[str]
    unit_code: str
    brigade_code: str | None
    assigned_grids: list[str]
    patrol_day: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    points: int
    seconds: float
    metres: float
    visits: list[GridVisit]
    updated_at: datetime


@dataclass(frozen=True)
class FindingRow:
    """A grid report an officer filed (the `reports` table's patrol columns)."""

    case_id: UUID
    case_number: str
    category_code: str
    received_at: datetime
    grid_code: str | None
    patrol_id: UUID | None
    finding: FindingOutcome


class PatrolViews(Protocol):
    async def save(self, conn: Connection, patrol_id: UUID, state: Patrol, days: Sequence[date], at: datetime) -> None:
        """`days`: the city days the patrol's visits fall on (or the day it started)."""
        ...

    async def get(self, conn: Connection, patrol_id: UUID) -> PatrolRow | None: ...

    async def finished_on(self, conn: Connection, officer: str, day: date) -> Sequence[PatrolRow]:
        """The officer's finished patrols with a visit on the city day (or none at all, started that day)."""
        ...

    async def findings_of(
        self, conn: Connection, reporter: str, since: datetime, until: datetime
    ) -> Sequence[FindingRow]:
        """The grid reports the reporter (an actor) filed in [since, until)."""
        ...


@dataclass(frozen=True)
class WatchRow:
    """巡查督导: a watched grid, its required interval and its last patrol visit."""

    grid_code: str
    every: timedelta
    watched_since: datetime
    last_patrolled_at: datetime | None


class GridWatches(Protocol):
    async def seed(
        self, conn: Connection, grid_code: str, every: timedelta, now: datetime
    ) -> tuple[WatchRow, timedelta | None]:
        """The grid's watch, begun now if it is new; its interval as the duty assignments say now; and
        the interval it had before (None for a new watch)."""
        ...

    async def visited(self, conn: Connection, grid_code: str, at: datetime) -> WatchRow | None:
        """A patrol visited the grid until `at`; None for a grid nobody watches."""
        ...

    async def get(self, conn: Connection, grid_code: str) -> WatchRow | None: ...
