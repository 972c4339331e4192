"""吹哨报到, pure: departments resolved against the unit table, issue, report-in, lateness and who may."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from casekit.access.principal import Principal
from casekit.errors import Forbidden, NotFound, RuleViolation
from cityconfig import City
from cityconfig.units import Units
from schemas.base import Event
from schemas.dispatch import AssignmentOpened, DepartmentLate, DepartmentReportedIn, SummonedDepartment
from schemas.intake import Place
from services.dispatch.domain import assignment
from services.dispatch.domain import summons as s
from tests.dispatch.city_fixture import COMMUNITY, GRID, OTHER_COMMUNITY

AT = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
CASE = uuid4()
SUMMONS = uuid4()
SQUAD = "st-320302001-enforcement"
WATER = "dt-320302-water"
FIRE = "区消防救援大队"


@pytest.fixture
def units(city: City) -> Units:
    assert city.units is not None
    return city.units


def person(*roles: str, unit: str | None = None, areas: Sequence[str] = ()) -> Principal:
    return Principal("someone", "person", frozenset(roles), unit=unit, areas=tuple(areas))


def case() -> assignment.Assignment:
    place = Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
    opened = AssignmentOpened(case_id=CASE, channel="whistle", category_code="09001", urgency="normal", place=place,
                              received_at=AT, opened_at=AT)  # fmt: skip
    return assignment.DECIDER.fold([opened])


def issued(units: Units, names: Sequence[str] = (SQUAD, "water", FIRE), limit: int = 30) -> list[Event]:
    departments = s.resolve_departments(names, units, COMMUNITY)
    return s.decide_issue(s.DECIDER.initial, s.Issue(CASE, SUMMONS, "whistle", COMMUNITY, departments, limit,
                                                     "system:dispatch", AT))  # fmt: skip


def summons_of(events: Sequence[Event]) -> s.Summons:
    found = s.DECIDER.fold(events).get(SUMMONS)
    assert found is not None
    return found


def report_in(events: Sequence[Event], key: str, at: datetime) -> list[Event]:
    return s.decide_report_in(s.DECIDER.fold(events), s.ReportIn(CASE, SUMMONS, key, "user:someone", at))


def test_a_department_is_a_unit_id_a_unit_name_or_a_trade_whose_most_local_unit_is_summoned(units: Units) -> None:
    names = [SQUAD, "鼓楼区水务局", "municipal", "环卫", FIRE]

    resolved = s.resolve_departments(names, units, COMMUNITY)

    assert [(d.key, d.unit_code) for d in resolved] == [
        (SQUAD, SQUAD),
        (WATER, WATER),
        ("cm-320302001002-municipal", "cm-320302001002-municipal"),  # the community's station, not the district's
        ("cm-320302001002-sanitation", "cm-320302001002-sanitation"),
        (FIRE, None),  # unknown to the unit table: summoned by its name
    ]
    assert resolved[1].unit_name == "鼓楼区水务局"


def test_a_trade_with_no_unit_in_the_community_is_its_street_or_district_unit(units: Units) -> None:
    [municipal] = s.resolve_departments(["municipal"], units, OTHER_COMMUNITY)

    assert municipal.unit_code == "dt-320302-municipal"


def test_a_department_named_twice_is_summoned_once(units: Units) -> None:
    resolved = s.resolve_departments([SQUAD, "城管执法", f" {SQUAD} "], units, COMMUNITY)

    assert [d.key for d in resolved] == [SQUAD]


def test_a_dispatcher_summons_units_of_the_table_only(units: Units) -> None:
    with pytest.raises(RuleViolation, match="no-such-unit"):
        s.units_by_id([SQUAD, "no-such-unit"], units)


def test_a_summons_is_due_after_its_limit_and_open_until_everyone_reported_in(units: Units) -> None:
    events = issued(units, limit=30)

    summons = summons_of(events)
    assert summons.due_at == AT + timedelta(minutes=30)
    assert [d.key for d in summons.departments] == [SQUAD, WATER, FIRE]
    assert not summons.complete


def test_a_summons_needs_departments_each_once() -> None:
    twice = [SummonedDepartment(key=SQUAD, unit_code=SQUAD, unit_name="squad")] * 2
    with pytest.raises(RuleViolation, match="at least one"):
        s.decide_issue(s.DECIDER.initial, s.Issue(CASE, SUMMONS, "dispatcher", None, [], 30, "user:d", AT))
    with pytest.raises(RuleViolation, match="twice"):
        s.decide_issue(s.DECIDER.initial, s.Issue(CASE, SUMMONS, "dispatcher", None, twice, 30, "user:d", AT))


def test_a_report_in_before_the_deadline_is_on_time_and_recorded(units: Units) -> None:
    events = issued(units)

    [reported] = report_in(events, SQUAD, AT + timedelta(minutes=12))

    assert isinstance(reported, DepartmentReportedIn)
    assert reported.late is False
    squad = summons_of([*events, reported]).department(SQUAD)
    assert squad is not None
    assert squad.reported_in_at == AT + timedelta(minutes=12)
    assert squad.reported_by == "user:someone"


def test_a_report_in_after_the_deadline_still_counts_marked_late(units: Units) -> None:
    [reported] = report_in(issued(units), SQUAD, AT + timedelta(minutes=31))

    assert isinstance(reported, DepartmentReportedIn)
    assert reported.late is True


def test_reporting_in_twice_or_for_a_department_not_summoned_is_refused(units: Units) -> None:
    events = issued(units)
    events += report_in(events, SQUAD, AT)

    with pytest.raises(RuleViolation, match="already reported in"):
        report_in(events, SQUAD, AT)
    with pytest.raises(NotFound):
        report_in(events, "dt-320303-municipal", AT)


def test_the_deadline_flags_each_department_not_reported_in_once(units: Units) -> None:
    events = issued(units)
    events += report_in(events, SQUAD, AT)
    flag_at = AT + timedelta(minutes=30)

    flagged = s.decide_flag_late(s.DECIDER.fold(events), CASE, SUMMONS, flag_at)
    again = s.decide_flag_late(s.DECIDER.fold([*events, *flagged]), CASE, SUMMONS, flag_at)

    assert [(type(e), e.department) for e in flagged if isinstance(e, DepartmentLate)] == [
        (DepartmentLate, WATER),
        (DepartmentLate, FIRE),
    ]
    assert again == []
    water = summons_of([*events, *flagged]).department(WATER)
    assert water is not None
    assert water.late
    assert water.flagged_late_at == flag_at


def test_a_department_flagged_late_reports_in_late_and_completes_the_summons(units: Units) -> None:
    events = issued(units, names=[SQUAD])
    events += s.decide_flag_late(s.DECIDER.fold(events), CASE, SUMMONS, AT + timedelta(minutes=30))

    reported = report_in(events, SQUAD, AT + timedelta(minutes=45))

    assert isinstance(reported[0], DepartmentReportedIn)
    assert reported[0].late is True
    assert summons_of([*events, *reported]).complete


def test_the_assignment_passes_over_summons_events(units: Units) -> None:
    before = case()
    assert before.opened is not None

    after = assignment.DECIDER.fold([before.opened, *issued(units)])

    assert after == before


def test_a_units_staff_report_in_for_their_own_summoned_unit_only(units: Units) -> None:
    summons = summons_of(issued(units))

    assert s.reporting_department(person("unit_staff", unit=SQUAD), case(), summons, None) == SQUAD
    with pytest.raises(Forbidden, match="not summoned"):
        s.reporting_department(person("unit_staff", unit="dt-320303-municipal"), case(), summons, None)
    with pytest.raises(Forbidden, match="reports in itself"):
        s.reporting_department(person("unit_staff", unit=SQUAD), case(), summons, WATER)


def test_a_dispatcher_of_the_area_reports_in_a_department_without_a_unit_on_its_behalf(units: Units) -> None:
    summons = summons_of(issued(units))
    dispatcher = person("dispatcher", areas=["320302"])

    assert s.reporting_department(dispatcher, case(), summons, FIRE) == FIRE
    with pytest.raises(Forbidden, match="reports in itself"):
        s.reporting_department(dispatcher, case(), summons, SQUAD)
    with pytest.raises(Forbidden, match="outside the areas"):
        s.reporting_department(person("dispatcher", areas=["320303"]), case(), summons, FIRE)
    with pytest.raises(RuleViolation, match="name the department"):
        s.reporting_department(dispatcher, case(), summons, None)


def test_a_summoned_unit_sees_the_summons_of_a_case_it_does_not_own(units: Units) -> None:
    state = s.DECIDER.fold(issued(units))

    seen = s.visible_summonses(person("unit_staff", unit=WATER), case(), state)

    assert [x.summons_id for x in seen] == [SUMMONS]
    with pytest.raises(Forbidden):
        s.visible_summonses(person("unit_staff", unit="dt-320303-municipal"), case(), state)


def test_a_department_named_after_its_trade_is_that_trades_unit(units: Units) -> None:
    """Whistles name departments as people say them: 城管执法中队, 市政所."""
    resolved = s.resolve_departments(["城管执法中队", "市政所", "水务局"], units, COMMUNITY)

    assert [d.unit_code for d in resolved] == [SQUAD, "cm-320302001002-municipal", WATER]
    assert [d.key for d in resolved] == [SQUAD, "cm-320302001002-municipal", WATER]
