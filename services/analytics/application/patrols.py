"""巡查 Patrols as Analytics sees them: who patrolled where and how long, what they found, which grids were
flagged (未按时巡查). The read model behind coverage (覆盖率) and the officers' assessment (docs/assessment.md).

A patrol's events travel on Intake's topic with the patrol's own id as `case_id`; they are read here and
nowhere else in Analytics. A finding stays an ordinary report (`ReportReceived` with `finding`), kept here
too with its grid and who filed it, as are the hotline's reports (12345 complaints in a grid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from casekit.errors import RuleViolation
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.projection import ProjectionHandler
from schemas.base import Event
from schemas.intake import ReportReceived
from schemas.patrol import GridPatrolOverdue, PatrolFinished, PatrolStarted

USER = "user:"
"""A person's actor is `user:<subject>` (casekit/access/principal.py); a patrol names the bare subject."""


def subject_of(actor: str | None) -> str | None:
    """The officer's subject behind an event's actor; None for a system's."""
    return actor[len(USER) :] if actor is not None and actor.startswith(USER) else None


@dataclass(frozen=True)
class PatrolRecord:
    """One patrol as started: the officer, their unit, brigade (中队) and the grids they are fixed to (定岗)."""

    patrol_id: UUID
    officer: str
    team: list[str]
    unit_code: str
    brigade_code: str | None
    assigned_grids: list[str]
    patrol_day: bool
    started_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class VisitRecord:
    """Time and distance one patrol spent in one grid on one city day."""

    patrol_id: UUID
    officer: str
    day: date
    grid_code: str
    seconds: float
    metres: float
    points: int
    first_at: datetime
    last_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class FinishRecord:
    patrol_id: UUID
    officer: str
    started_at: datetime
    finished_at: datetime
    seconds: float
    metres: float
    visits: list[VisitRecord]
    recorded_at: datetime


@dataclass(frozen=True)
class GridReport:
    """A grid report (a patrol's finding or not) or a hotline report, with its grid and who filed it."""

    case_id: UUID
    case_number: str | None
    channel: str
    category_code: str
    grid_code: str | None
    reporter: str | None
    """The filing officer's subject (the event's actor without `user:`); None for a system."""
    patrol_id: UUID | None
    finding: str | None
    received_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class FlagRecord:
    """未按时巡查: a grid not patrolled within its required interval."""

    event_id: UUID
    grid_code: str
    last_patrolled_at: datetime | None
    due_at: datetime
    flagged_at: datetime
    recorded_at: datetime


class PatrolRows(Protocol):
    """Where the patrol read model's rows go (adapters/views/patrols.py)."""

    async def started(self, patrol: PatrolRecord) -> None: ...

    async def finished(self, finish: FinishRecord) -> None: ...

    async def reported(self, report: GridReport) -> None: ...

    async def flagged(self, flag: FlagRecord) -> None: ...


def _recorded(message: Inbound[Any]) -> datetime:
    instant = message.recorded or message.time
    if instant is None:
        raise RuleViolation(f"event {message.id} has no ce_time")
    return instant


async def on_patrol_started(message: Inbound[PatrolStarted], rows: PatrolRows) -> None:
    event = message.data
    await rows.started(
        PatrolRecord(
            patrol_id=event.case_id,
            officer=event.officer,
            team=list(event.team),
            unit_code=event.unit_code,
            brigade_code=event.brigade_code,
            assigned_grids=list(event.assigned_grids),
            patrol_day=event.patrol_day,
            started_at=event.started_at,
            recorded_at=_recorded(message),
        )
    )


async def on_patrol_finished(message: Inbound[PatrolFinished], rows: PatrolRows) -> None:
    event, recorded = message.data, _recorded(message)
    visits = [
        VisitRecord(
            event.case_id, event.officer, v.day, v.grid_code, v.seconds, v.metres, v.points, v.first_at, v.last_at,
            recorded,
        )
        for v in event.visits
    ]  # fmt: skip
    await rows.finished(
        FinishRecord(
            event.case_id, event.officer, event.started_at, event.finished_at, event.seconds, event.metres, visits,
            recorded,
        )
    )  # fmt: skip


async def on_report_received(message: Inbound[ReportReceived], rows: PatrolRows) -> None:
    """Grid and hotline reports only: the rest never counts for an officer or a grid's patrols."""
    event = message.data
    if event.channel not in ("grid", "hotline"):
        return
    await rows.reported(
        GridReport(
            case_id=event.case_id,
            case_number=event.case_number,
            channel=event.channel,
            category_code=event.category_code,
            grid_code=event.place.grid_code if event.place else None,
            reporter=subject_of(event.self_disposed_by or message.actor),
            patrol_id=event.patrol_id,
            finding=event.finding,
            received_at=event.received_at,
            recorded_at=_recorded(message),
        )
    )


async def on_grid_patrol_overdue(message: Inbound[GridPatrolOverdue], rows: PatrolRows) -> None:
    event = message.data
    await rows.flagged(
        FlagRecord(
            causation_id(message), event.grid_code, event.last_patrolled_at, event.due_at, event.flagged_at,
            _recorded(message),
        )
    )  # fmt: skip


HANDLERS: dict[type[Event], ProjectionHandler[PatrolRows]] = {
    PatrolStarted: on_patrol_started,
    PatrolFinished: on_patrol_finished,
    ReportReceived: on_report_received,
    GridPatrolOverdue: on_grid_patrol_overdue,
}
"""TrackPointsRecorded is left alone: a finished patrol's visits say what its points showed. The work
log's events are Intake's record of the day; the figures come from the patrols and reports themselves."""
