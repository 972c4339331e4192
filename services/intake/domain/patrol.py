"""The Patrol aggregate (巡查): one officer's (or a team's) patrol, from start to finish.

Its life: started by an officer with a duty assignment (定人、定岗); track points recorded in
batches, each point once by its `seq` however often the device sends it, in any order (the
state keeps them sorted by time); finished, with what the track shows (distance, and the time
spent in each grid on each city day: `domain/patrol_track.py`). Nothing is added after finish.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, assert_never
from uuid import UUID
from zoneinfo import ZoneInfo

from casekit.decider import Decider
from casekit.errors import Forbidden, InvalidInput, RuleViolation
from schemas.patrol import GridVisit, PatrolFinished, PatrolStarted, TrackPoint, TrackPointsRecorded
from services.intake.domain.patrol_track import summarise

PatrolEvent = PatrolStarted | TrackPointsRecorded | PatrolFinished
Status = Literal["new", "active", "finished"]
LATE_REPORTS = timedelta(hours=1)
"""A report may still name a patrol finished less than this long ago (filed on the way back)."""


@dataclass(frozen=True)
class Patrol:
    """巡查: where one patrol stands."""

    status: Status = "new"
    officer: str | None = None
    team: tuple[str, ...] = ()
    unit_code: str | None = None
    brigade_code: str | None = None
    assigned_grids: tuple[str, ...] = ()
    patrol_day: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    points: tuple[TrackPoint, ...] = ()
    """As recorded, batch after batch: sorting them at each batch made every fold quadratic."""
    seqs: frozenset[int] = frozenset()
    seconds: float = 0
    metres: float = 0
    visits: tuple[GridVisit, ...] = ()

    @property
    def track(self) -> tuple[TrackPoint, ...]:
        """The points sorted by time (then by seq), whatever order they came in."""
        return tuple(sorted(self.points, key=_order))

    def member(self, subject: str) -> bool:
        """The officer who started it, or one of the team."""
        return subject == self.officer or subject in self.team


@dataclass(frozen=True)
class OfficerDuty:
    """定岗: what the city's duty assignments say of an officer."""

    subject: str
    unit_code: str
    brigade_code: str | None
    grid_codes: tuple[str, ...]


@dataclass(frozen=True)
class StartPatrol:
    patrol_id: UUID
    duty: OfficerDuty
    team: tuple[str, ...]
    patrol_day: bool
    at: datetime


@dataclass(frozen=True)
class RecordTrack:
    patrol_id: UUID
    by: str
    """The verified subject sending the points."""
    points: tuple[TrackPoint, ...]
    """Already WGS-84, each with its grid."""


@dataclass(frozen=True)
class FinishPatrol:
    patrol_id: UUID
    by: str
    at: datetime
    zone: ZoneInfo
    """The city's time zone: its local midnight splits the visits by day."""


def stream_id(patrol_id: UUID) -> str:
    return f"patrol-{patrol_id}"


def decide_start(state: Patrol, cmd: StartPatrol) -> list[PatrolEvent]:
    """Starts a patrol; the same device id again is the same patrol (nothing new), another officer's is refused."""
    if state.status != "new":
        if state.officer == cmd.duty.subject:
            return []
        raise RuleViolation(f"patrol {cmd.patrol_id} is another officer's")
    team = [member for member in dict.fromkeys(cmd.team) if member != cmd.duty.subject]
    return [
        PatrolStarted(
            case_id=cmd.patrol_id,
            officer=cmd.duty.subject,
            team=team,
            unit_code=cmd.duty.unit_code,
            brigade_code=cmd.duty.brigade_code,
            assigned_grids=list(cmd.duty.grid_codes),
            patrol_day=cmd.patrol_day,
            started_at=cmd.at,
        )
    ]


def decide_track(state: Patrol, cmd: RecordTrack) -> list[PatrolEvent]:
    """Records the points not recorded before (by `seq`); a batch of known points records nothing."""
    _check_open(state, cmd.by, cmd.patrol_id)
    new: dict[int, TrackPoint] = {}
    for point in cmd.points:
        if point.seq not in state.seqs and point.seq not in new:
            new[point.seq] = point
    if not new:
        return []
    return [TrackPointsRecorded(case_id=cmd.patrol_id, points=sorted(new.values(), key=_order))]


def decide_finish(state: Patrol, cmd: FinishPatrol) -> list[PatrolEvent]:
    _check_open(state, cmd.by, cmd.patrol_id)
    assert state.started_at is not None  # active
    assert state.officer is not None
    if cmd.at < state.started_at:
        raise RuleViolation(f"patrol {cmd.patrol_id} cannot finish before it started ({state.started_at.isoformat()})")
    summary = summarise(state.track, cmd.zone)
    return [
        PatrolFinished(
            case_id=cmd.patrol_id,
            officer=state.officer,
            started_at=state.started_at,
            finished_at=cmd.at,
            seconds=(cmd.at - state.started_at).total_seconds(),
            metres=summary.metres,
            visits=list(summary.visits),
        )
    ]


def decide_auto_finish(state: Patrol, patrol_id: UUID, zone: ZoneInfo) -> list[PatrolEvent]:
    """A patrol left open past the longest one: finished at its last point (its start, with none), so its
    track counts for coverage; one finished meanwhile owes nothing."""
    if state.status != "active":
        return []
    assert state.started_at is not None  # active
    assert state.officer is not None
    finished_at = max((point.at for point in state.points), default=state.started_at)
    finished_at = max(finished_at, state.started_at)
    summary = summarise(state.track, zone)
    return [
        PatrolFinished(
            case_id=patrol_id, officer=state.officer, started_at=state.started_at, finished_at=finished_at,
            seconds=(finished_at - state.started_at).total_seconds(), metres=summary.metres,
            visits=list(summary.visits), auto=True,
        )
    ]  # fmt: skip


def check_report_patrol(state: Patrol, patrol_id: UUID, subject: str, at: datetime) -> None:
    """A report filed during a patrol: a patrol that exists (else the report is invalid), the reporter's
    own, not finished (or only just: a refusal of the moment, 409)."""
    if state.status == "new":
        raise InvalidInput(f"no patrol {patrol_id}", path="/patrol_id", rule="unknown-patrol")
    if not state.member(subject):
        raise InvalidInput(
            f"patrol {patrol_id} is not the reporter's", path="/patrol_id", rule="another-officers-patrol"
        )
    if state.finished_at is not None and at - state.finished_at > LATE_REPORTS:
        raise RuleViolation(f"patrol {patrol_id} finished at {state.finished_at.isoformat()}, over an hour ago")


def _check_open(state: Patrol, by: str, patrol_id: UUID) -> None:
    if state.status == "new":
        raise RuleViolation(f"no patrol {patrol_id}")
    if not state.member(by):
        raise Forbidden(f"only the officer who started patrol {patrol_id}, or the team, may do this")
    if state.status == "finished":
        raise RuleViolation(f"patrol {patrol_id} is finished")


def _order(point: TrackPoint) -> tuple[datetime, int]:
    return (point.at, point.seq)


def evolve(state: Patrol, event: PatrolEvent) -> Patrol:
    match event:
        case PatrolStarted():
            return replace(
                state,
                status="active",
                officer=event.officer,
                team=tuple(event.team),
                unit_code=event.unit_code,
                brigade_code=event.brigade_code,
                assigned_grids=tuple(event.assigned_grids),
                patrol_day=event.patrol_day,
                started_at=event.started_at,
            )
        case TrackPointsRecorded():
            return replace(
                state,
                points=state.points + tuple(event.points),
                seqs=state.seqs | {point.seq for point in event.points},
            )
        case PatrolFinished():
            return replace(
                state,
                status="finished",
                finished_at=event.finished_at,
                seconds=event.seconds,
                metres=event.metres,
                visits=tuple(event.visits),
            )
        case _:
            assert_never(event)


DECIDER: Decider[Patrol, PatrolEvent] = Decider(
    initial=Patrol(), evolve=evolve, events=(PatrolStarted, TrackPointsRecorded, PatrolFinished)
)
