"""The Patrol aggregate's decisions, pure: points sent twice or out of order, a patrol across midnight, its distance."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from casekit.errors import Forbidden, InvalidInput, RuleViolation
from schemas.patrol import PatrolFinished, TrackPoint, TrackPointsRecorded
from services.intake.domain import patrol as p
from services.intake.domain.patrol import DECIDER, OfficerDuty, Patrol

SHANGHAI = ZoneInfo("Asia/Shanghai")
PATROL = uuid4()
OFFICER = "officer-wang"
A, B = "320302001002001", "320302001002002"
DUTY = OfficerDuty(OFFICER, "cm-320302001002-enforcement", "st-320302001-enforcement", (A, B))
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Xuzhou


def fold(events: Sequence[p.PatrolEvent], state: Patrol = DECIDER.initial) -> Patrol:
    return functools.reduce(DECIDER.evolve, events, state)


def started(at: datetime = START) -> Patrol:
    return fold(p.decide_start(DECIDER.initial, p.StartPatrol(PATROL, DUTY, ("officer-li",), False, at)))


def point(seq: int, minutes: float, grid: str | None = A, lat: float = 34.2655, lon: float = 117.1862) -> TrackPoint:
    return TrackPoint(seq=seq, at=START + timedelta(minutes=minutes), lat=lat, lon=lon, grid_code=grid)


def track(state: Patrol, *points: TrackPoint, by: str = OFFICER) -> tuple[Patrol, list[p.PatrolEvent]]:
    events = p.decide_track(state, p.RecordTrack(PATROL, by, points))
    return fold(events, state), events


def finish(state: Patrol, minutes: float, by: str = OFFICER) -> PatrolFinished:
    [event] = p.decide_finish(state, p.FinishPatrol(PATROL, by, START + timedelta(minutes=minutes), SHANGHAI))
    assert isinstance(event, PatrolFinished)
    return event


def test_a_point_sent_twice_is_recorded_once_and_a_batch_of_known_points_records_nothing() -> None:
    state, first = track(started(), point(0, 0), point(1, 1))
    state, second = track(state, point(1, 1), point(2, 2), point(2, 2))
    state, third = track(state, point(0, 0), point(2, 2))

    assert [[pt.seq for pt in e.points] for e in first + second if isinstance(e, TrackPointsRecorded)] == [[0, 1], [2]]
    assert third == []
    assert [pt.seq for pt in state.track] == [0, 1, 2]


def test_points_out_of_order_are_kept_sorted_by_time() -> None:
    state, events = track(started(), point(5, 10), point(3, 2))
    state, _ = track(state, point(4, 5), point(1, 0))

    [recorded] = events
    assert isinstance(recorded, TrackPointsRecorded)
    assert [pt.seq for pt in recorded.points] == [3, 5]
    assert [pt.seq for pt in state.track] == [1, 3, 4, 5]
    # Time in a grid follows time, not arrival: every stretch 0→2→5→10→12 begins in A; B has the last point.
    state, _ = track(state, point(6, 12, grid=B))
    state, _ = track(state, point(5, 10, grid=B))  # seq 5 again, now "in B": already recorded, ignored
    finished = finish(state, 12)
    assert [(v.grid_code, v.seconds, v.points) for v in finished.visits] == [(A, 720.0, 4), (B, 0.0, 1)]


def test_a_patrol_across_midnight_visits_its_grids_on_two_city_days() -> None:
    # 23:30 to 00:45 in Xuzhou (15:30 to 16:45 UTC): A until 00:30, then B; 23:50 to 00:15 crosses midnight.
    late = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    state = started(late)
    minutes = [0, 20, 45, 60, 75]
    grids = [A, A, A, B, B]
    at = [late + timedelta(minutes=m) for m in minutes]
    state, _ = track(state, *(TrackPoint(seq=i, at=t, lat=34.26 + i * 0.001, lon=117.18, grid_code=g)
                              for i, (t, g) in enumerate(zip(at, grids, strict=True))))  # fmt: skip
    [event] = p.decide_finish(state, p.FinishPatrol(PATROL, OFFICER, late + timedelta(minutes=75), SHANGHAI))
    assert isinstance(event, PatrolFinished)

    visits = [(v.day, v.grid_code, v.seconds, v.points) for v in event.visits]
    assert visits == [
        (date(2026, 12, 1), A, 1800.0, 2),  # 23:30–00:00, points at 23:30 and 23:50
        (date(2026, 12, 2), A, 1800.0, 1),  # 00:00–00:30, the point at 00:15
        (date(2026, 12, 2), B, 900.0, 2),  # 00:30–00:45
    ]
    assert event.seconds == 4500
    assert sum(v.metres for v in event.visits) == pytest.approx(event.metres, abs=0.5)


def test_the_distance_of_a_known_track_is_within_one_percent() -> None:
    # 1 km north along a meridian, then 0.01° east along the parallel at 34.27°N.
    north = [TrackPoint(seq=i, at=START + timedelta(minutes=i), lat=34.26 + i * 0.0009, lon=117.18, grid_code=A)
             for i in range(11)]  # fmt: skip
    east = TrackPoint(seq=11, at=START + timedelta(minutes=20), lat=north[-1].lat, lon=117.19, grid_code=A)
    state, _ = track(started(), east, *reversed(north))
    expected = 0.009 * 111_195 + 0.01 * 111_195 * math.cos(math.radians(north[-1].lat))

    finished = finish(state, 20)

    assert finished.metres == pytest.approx(expected, rel=0.01)
    assert finished.visits[0].metres == pytest.approx(expected, rel=0.01)


def test_nothing_is_added_after_finish_and_only_the_team_may_add() -> None:
    state, _ = track(started(), point(0, 0))
    with pytest.raises(Forbidden):
        track(state, point(1, 1), by="officer-zhao")
    state, events = track(state, point(1, 1), by="officer-li")  # a team member
    assert len(events) == 1
    state = fold([finish(state, 5)], state)

    with pytest.raises(RuleViolation, match="finished"):
        track(state, point(2, 2))
    with pytest.raises(RuleViolation, match="finished"):
        finish(state, 6)


def test_starting_again_with_the_device_id_is_the_same_patrol() -> None:
    state = started()
    again = p.decide_start(state, p.StartPatrol(PATROL, DUTY, (), False, START + timedelta(minutes=1)))
    other = OfficerDuty("officer-zhao", "cm-x", None, ())

    assert again == []
    with pytest.raises(RuleViolation, match="another officer"):
        p.decide_start(state, p.StartPatrol(PATROL, other, (), False, START))


def test_a_report_may_name_a_patrol_finished_less_than_an_hour_ago() -> None:
    state, _ = track(started(), point(0, 0))
    state = fold([finish(state, 30)], state)

    p.check_report_patrol(state, PATROL, OFFICER, START + timedelta(minutes=89))
    with pytest.raises(RuleViolation, match="over an hour"):
        p.check_report_patrol(state, PATROL, OFFICER, START + timedelta(minutes=91))
    with pytest.raises(InvalidInput, match="not the reporter's") as other:
        p.check_report_patrol(state, PATROL, "officer-zhao", START + timedelta(minutes=31))
    with pytest.raises(InvalidInput, match="no patrol") as unknown:
        p.check_report_patrol(DECIDER.initial, PATROL, OFFICER, START)
    assert (other.value.rule, unknown.value.rule) == ("another-officers-patrol", "unknown-patrol")


def test_a_patrol_left_open_is_finished_at_its_last_point_and_one_finished_owes_nothing() -> None:
    state, _ = track(started(), point(1, 30, B), point(0, 0), point(2, 45, B))
    [auto] = p.decide_auto_finish(state, PATROL, SHANGHAI)
    by_hand = p.decide_finish(state, p.FinishPatrol(PATROL, OFFICER, START + timedelta(minutes=45), SHANGHAI))

    assert isinstance(auto, PatrolFinished)
    assert (auto.auto, auto.finished_at, auto.seconds) == (True, START + timedelta(minutes=45), 45 * 60)
    assert auto.model_copy(update={"auto": False}) == by_hand[0]  # the same summary as a finish then
    assert p.decide_auto_finish(fold([auto], state), PATROL, SHANGHAI) == []
    [empty] = p.decide_auto_finish(started(), PATROL, SHANGHAI)
    assert isinstance(empty, PatrolFinished)
    assert (empty.finished_at, empty.seconds, empty.visits) == (START, 0, [])
