"""队员考核's rules on their own (services/analytics/domain/patrols.py): a team's patrol counts for its members,
a grid two officers of one brigade share counts once in the brigade's 12345 complaints, and the periods."""

from __future__ import annotations

from datetime import date

import pytest

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
