"""队员考核's rules on their own (services/analytics/domain/patrols.py): a team's patrol counts for its members,
a grid two officers of one brigade share counts once in the brigade's 12345 complaints, and the periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.analytics.adapters.http_patrols import DayPatrolOut, VisitOut, patrol_on_day
from services.analytics.domain.patrols import Assignment, MonthReport, days_of, month_of, officer_months

A = Assignment("a", "unit", "b1", frozenset({"g1", "g2"}))
B = Assignment("b", "unit", "b1", frozenset({"g2"}))
C = Assignment("c", "unit", None, frozenset({"g3"}))
DAY = date(2026, 12, 1)


def test_a_team_patrol_counts_for_its_members_and_a_shared_grid_once_for_the_brigade() -> None:
    patrolled = {"a": {(DAY, "g1"), (DAY, "g2"), (DAY, "g9")}, "b": {(DAY, "g2")}}  # b was on a's team
    reports = [
        MonthReport("hotline", "g2", None, None),
        MonthReport("grid", "g2", "a", "fixed_on_spot"),
        MonthReport("grid", "g1", "a", "handed_over"),
        MonthReport("grid", "g2", "b", None),
        MonthReport("public", "g2", "a", None),  # not a grid report: not found by an officer
    ]
    officers, brigades = officer_months([B, A, C], 30, patrolled, reports)
    figures = {o.code: {k: (f.numerator, f.denominator) for k, f in o.figures.items()} for o in officers}
    assert figures["a"] == {"found": (2, 1), "hotline_complaints": (1, 1), "self_disposal_rate": (1, 2),
                            "coverage": (2, 60)}  # fmt: skip
    assert figures["b"] == {"found": (1, 1), "hotline_complaints": (1, 1), "self_disposal_rate": (0, 1),
                            "coverage": (1, 30)}  # fmt: skip
    assert figures["c"]["coverage"] == (0, 30)
    assert [o.code for o in officers] == ["a", "b", "c"]
    [b1] = brigades  # c has no brigade
    assert (b1.code, b1.officers) == ("b1", ["a", "b"])
    assert {k: (f.numerator, f.denominator) for k, f in b1.figures.items()} == {
        "found": (3, 1), "hotline_complaints": (1, 1), "self_disposal_rate": (1, 3), "coverage": (3, 90),
    }  # fmt: skip


def test_days_weeks_and_months() -> None:
    today = date(2027, 1, 4)
    assert days_of(DAY, None, today) == (DAY, DAY)
    assert days_of(None, None, today) == (today, today)
    assert days_of(None, "2026-W01", today) == (date(2025, 12, 29), date(2026, 1, 4))
    assert days_of(None, "2020-W53", today) == (date(2020, 12, 28), date(2021, 1, 3))
    assert month_of("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_of("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    for day, week in [(DAY, "2026-W01"), (None, "2026-W54"), (None, "2026W01")]:
        with pytest.raises(ValueError, match="week"):
            days_of(day, week, today)
    for month in ["2026-00", "2026-13", "26-12", "0000-01", "9999-12"]:
        with pytest.raises(ValueError, match="month"):
            month_of(month)


def test_an_officers_day_counts_a_patrol_within_it_whole_and_one_across_midnight_by_its_visits() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    nine = datetime(2026, 12, 9, 9, 0, tzinfo=zone)

    def patrol(start: datetime, end: datetime, seconds: float, metres: float, *visits: float) -> DayPatrolOut:
        shown = [VisitOut(grid_code="g1", name="g1", seconds=s, metres=s / 2, points=2, first_at=start,
                          last_at=start + timedelta(seconds=s)) for s in visits]  # fmt: skip
        return DayPatrolOut(patrol_id=uuid4(), officer="a", team=[], unit_code=None, brigade_code=None,
                            started_at=start, finished_at=end, seconds=seconds, metres=metres,
                            visits=shown)  # fmt: skip

    within = patrol(nine, nine + timedelta(hours=1), 3600, 4000, 2400)  # 20 minutes outside every grid
    across = patrol(nine.replace(hour=23), nine.replace(hour=23) + timedelta(hours=2), 7200, 5000, 3600)

    assert patrol_on_day(within, nine.date(), zone) == (3600, 4000)
    assert patrol_on_day(across, nine.date(), zone) == (3600, 1800)  # the 9th's visits; the 10th has the rest
