"""工作日志 lines, pure: a patrol of one day counts whole (its stretches outside the grids too); one
across midnight counts its visits of each day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from schemas.patrol import GridVisit
from services.intake.domain.work_log import PatrolFacts, patrol_line

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)
NINE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Xuzhou
A = "320302001002001"


def visit(day: date, start: datetime, minutes: float, metres: float) -> GridVisit:
    end = start + timedelta(minutes=minutes)
    return GridVisit(day=day, grid_code=A, seconds=minutes * 60, metres=metres, points=2, first_at=start, last_at=end)


def test_a_patrol_of_one_day_counts_whole_with_its_time_outside_the_grids() -> None:
    # 60 minutes and 4 km, of which 40 minutes and 2.5 km in grid A; the rest on a road outside every grid.
    patrol = PatrolFacts(uuid4(), NINE, NINE + timedelta(hours=1), 3600, 4000, [visit(DAY, NINE, 40, 2500)])

    line = patrol_line(patrol, DAY, SHANGHAI)

    assert line is not None
    assert (line.seconds, line.metres, line.grid_codes) == (3600, 4000, [A])
    assert line.text == "09:00–10:00 巡查 1 个网格, 4.00 公里"
    assert patrol_line(patrol, DAY + timedelta(days=1), SHANGHAI) is None


def test_a_patrol_across_midnight_counts_each_day_s_visits() -> None:
    late = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 23:30 in Xuzhou
    midnight = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    before, after = visit(DAY, late, 30, 1200), visit(DAY + timedelta(days=1), midnight, 20, 800)
    patrol = PatrolFacts(uuid4(), late, midnight + timedelta(minutes=20), 3000, 2000, [before, after])

    first, second = patrol_line(patrol, DAY, SHANGHAI), patrol_line(patrol, DAY + timedelta(days=1), SHANGHAI)

    assert first is not None
    assert second is not None
    assert (first.seconds, first.metres, second.seconds, second.metres) == (1800, 1200, 1200, 800)
