"""The officers' figures list the demo city's officers from duty.yaml, and no grid member."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cityconfig.city import load_city
from cityconfig.duty import Duty
from services.analytics.adapters.duty_roster import roster_of

DEMO = Path(__file__).resolve().parents[2] / "cities" / "xuzhou-demo"


def test_the_roster_is_the_city_s_officers_with_their_units_brigades_and_grids() -> None:
    duty = load_city(DEMO).duty
    roster = roster_of(duty)
    assert roster is not None
    listed = {a.officer: a for a in roster.assignments(date(2026, 12, 1), date(2026, 12, 31))}
    officers = {a.subject for a in duty.assignments if a.role == "officer"}
    assert set(listed) == officers
    assert all(not subject.startswith("grid-") for subject in listed)
    wang = listed["officer-320302001002-1"]
    assert (wang.unit_code, wang.brigade_code) == ("cm-320302001002-enforcement", "st-320302001-enforcement")
    assert wang.grids == frozenset({"320302001002001", "320302001002002"})
    assert wang.name == "王建军"  # the officers' figures show the name, not the subject


def test_a_city_without_officers_has_no_roster() -> None:
    assert roster_of(Duty()) is None
