"""巡查督导 decisions, pure: flagged once per due time, not after a visit, the next check past now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.intake.domain import grid_watch as g

GRID = "320302006008001"
SINCE = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def check(last: datetime | None, at: datetime, due: datetime = SINCE + DAY) -> g.Check:
    return g.Check(GRID, due, DAY, last, SINCE, at)


def test_a_grid_nobody_patrolled_is_flagged_once_per_due_time() -> None:
    [flag] = g.decide_check(g.DECIDER.initial, check(None, SINCE + DAY))
    state = g.DECIDER.fold([flag])

    assert (flag.case_id, flag.due_at, flag.last_patrolled_at) == (g.watch_id(GRID), SINCE + DAY, None)
    assert g.decide_check(state, check(None, SINCE + DAY + timedelta(minutes=5))) == []
    assert len(g.decide_check(state, check(None, SINCE + 2 * DAY, due=SINCE + 2 * DAY))) == 1


def test_a_visit_since_means_no_flag_and_the_next_check_an_interval_after_it() -> None:
    visited = SINCE + timedelta(hours=20)

    assert g.decide_check(g.DECIDER.initial, check(visited, SINCE + DAY)) == []
    assert g.next_check(check(visited, SINCE + DAY)) == visited + DAY


def test_after_a_long_outage_the_next_check_is_past_now() -> None:
    late = SINCE + DAY + timedelta(days=3, hours=2)

    assert g.next_check(check(None, late)) == SINCE + 5 * DAY
