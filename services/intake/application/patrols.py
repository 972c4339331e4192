"""巡查 Patrol use cases: start, record track points, finish, read; and the patrol a report names.

Each runs load → decide → append with the read model row in the same transaction, on the
patrol's stream (`patrol-{id}`), through Intake's one outbox: its events reach `cases.intake.v1`
keyed by the patrol id, in order with the reports filed during it (ADR 0018).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from casekit.access.principal import Principal, within
from casekit.decider import Handled, handle_and_fold, retry_on_conflict
from casekit.envelope import EventMeta, new_id, utc_now
from casekit.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from casekit.eventstore import Connection, lock_stream
from cityconfig.coords import to_wgs84
from schemas.access import ADMIN, ANALYST, SUPERVISOR
from schemas.intake import ReportSubmission
from schemas.patrol import PatrolFinish, PatrolStart, TrackBatch, TrackPoint, TrackPointIn
from services.intake.application.context import Intake
from services.intake.application.patrol_ports import PatrolRow
from services.intake.application.patrol_records import record_patrol_change
from services.intake.domain import patrol as p
from services.intake.domain.access import scope_of
from services.intake.domain.patrol import DECIDER, Patrol, PatrolEvent

Decide = Callable[[Patrol], Sequence[PatrolEvent]]


async def start_patrol(body: PatrolStart, intake: Intake, caller: Principal) -> tuple[PatrolRow, bool]:
    """开始巡查; True when it is new (the device's `patrol_id` again answers the same patrol)."""
    duty = intake.officers.officer(caller.subject)
    if duty is None:  # allowed to patrol by role, but not assigned anywhere: a state, not a permission
        raise RuleViolation(
            f"{caller.subject} has no duty assignment (定岗) in {intake.city.name}: only an assigned officer patrols"
        )
    patrol_id = body.patrol_id or new_id()
    at = _not_ahead(intake, body.started_at, "/started_at")
    cmd = p.StartPatrol(patrol_id, duty, tuple(body.team), body.patrol_day, at)
    handled, row = await _run(intake, patrol_id, caller, lambda state: p.decide_start(state, cmd))
    return row, bool(handled.events)


async def record_track(patrol_id: UUID, batch: TrackBatch, intake: Intake, caller: Principal) -> PatrolRow:
    """轨迹: the batch's points in WGS-84 with their grids; those recorded before are left out."""
    points = tuple(track_point(intake, index, point) for index, point in enumerate(batch.points))
    cmd = p.RecordTrack(patrol_id, caller.subject, points)
    return (await _run(intake, patrol_id, caller, _existing(patrol_id, lambda s: p.decide_track(s, cmd))))[1]


async def finish_patrol(patrol_id: UUID, body: PatrolFinish, intake: Intake, caller: Principal) -> PatrolRow:
    """结束巡查: the summary, and each visited grid's watch moved on (the unpatrolled-grid flag)."""
    at = _not_ahead(intake, body.finished_at, "/finished_at")
    cmd = p.FinishPatrol(patrol_id, caller.subject, at, intake.city.timezone)
    return (await _run(intake, patrol_id, caller, _existing(patrol_id, lambda s: p.decide_finish(s, cmd))))[1]


async def get_patrol(patrol_id: UUID, intake: Intake, caller: Principal) -> PatrolRow:
    """A patrol's summary: the officer's (or the team's) own; supervisors and the like within their areas."""
    async with intake.store.pool.acquire() as conn:
        row = await intake.patrols.get(conn, patrol_id)
    if row is None:
        raise NotFound(f"no patrol {patrol_id}")
    if caller.subject == row.officer or caller.subject in row.team:
        return row
    readers = caller.roles & {ADMIN, SUPERVISOR, ANALYST}
    areas = scope_of(caller).areas
    if not readers or (areas is not None and not any(within(grid, areas) for grid in row.assigned_grids)):
        raise Forbidden(f"patrol {patrol_id} is not one this caller may see")
    return row


def track_point(intake: Intake, index: int, point: TrackPointIn) -> TrackPoint:
    """One point at the edge: to WGS-84 like a report's location, with the unit grid it falls in."""
    try:
        lat, lon = to_wgs84(point.lat, point.lon, point.crs)
    except ValueError as error:
        raise InvalidInput(str(error), path=f"/points/{index}", rule="not-on-earth") from error
    place = intake.city.locate(lat, lon)
    return TrackPoint(
        seq=point.seq,
        at=_not_ahead(intake, point.at, f"/points/{index}/at"),
        lat=round(lat, 7),
        lon=round(lon, 7),
        grid_code=place.grid_code if place else None,
    )


async def check_report_patrol(submission: ReportSubmission, intake: Intake, actor: str, conn: Connection) -> None:
    """A grid report naming a patrol: it exists, is the reporter's, and is not long finished."""
    if submission.patrol_id is None:
        return
    history = await intake.store.read_stream(p.stream_id(submission.patrol_id), conn=conn)
    state = DECIDER.fold(history.events)
    p.check_report_patrol(state, submission.patrol_id, subject_of(actor), utc_now())


def own_powers_unit(submission: ReportSubmission, intake: Intake, actor: str) -> str | None:
    """权限内自行处理: the reporting officer's unit, which owns the case; refused without an assignment."""
    if not submission.own_powers:
        return None
    duty = intake.officers.officer(subject_of(actor))
    if duty is None:
        raise InvalidInput(
            f"{actor} has no duty assignment (定岗), so no powers of their own to act on",
            path="/own_powers",
            rule="no-duty-assignment",
        )
    return duty.unit_code


def _not_ahead(intake: Intake, at: datetime | None, path: str) -> datetime:
    """A time the device sends, in UTC (now when it sends none), refused when it lies in the future: a
    broken device clock would otherwise count a patrol on a day not yet begun."""
    now = utc_now()
    if at is None:
        return now
    if at - now > intake.device_clock_skew:
        raise InvalidInput(f"{at.isoformat()} is ahead of the server's clock ({now.isoformat()}): check the "
                           "device's time", path=path, rule="in-the-future")  # fmt: skip
    return at.astimezone(UTC)


def subject_of(actor: str) -> str:
    """The subject an actor names (`user:officer-wang` → `officer-wang`)."""
    return actor.removeprefix("user:")


def _existing(patrol_id: UUID, decide: Decide) -> Decide:
    def decided(state: Patrol) -> Sequence[PatrolEvent]:
        if state.status == "new":
            raise NotFound(f"no patrol {patrol_id}")
        return decide(state)

    return decided


async def _run(
    intake: Intake, patrol_id: UUID, caller: Principal, decide: Decide
) -> tuple[Handled[Patrol, PatrolEvent], PatrolRow]:
    meta = EventMeta.traced(caller.actor).for_case(patrol_id)

    async def attempt() -> tuple[Handled[Patrol, PatrolEvent], PatrolRow | None]:
        async with intake.store.pool.acquire() as conn, conn.transaction():
            # A device's batches sent at once wait for each other; Intake's own finish may still race.
            await lock_stream(conn, p.stream_id(patrol_id))
            handled = await handle_and_fold(intake.store, p.stream_id(patrol_id), DECIDER, decide, meta, conn)
            await record_patrol_change(conn, intake, patrol_id, handled)
            return handled, await intake.patrols.get(conn, patrol_id)

    handled, row = await retry_on_conflict(attempt)
    assert row is not None  # written with its first event
    return handled, row
