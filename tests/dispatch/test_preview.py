"""The routing preview's comparison and its candidate tables, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.errors import InvalidInput
from cityconfig import City, load_city
from schemas.dispatch import AssignmentOpened, CaseReturned, CaseRouted, CaseUnroutable
from services.dispatch.application.preview import MAX_YAML_NODES, candidate_tables, check_expansion
from services.dispatch.domain.assignment_rules import Rules
from services.dispatch.domain.preview import PastCase, PreviewResult, compare
from tests.dispatch.city_fixture import ROUTING, UNITS, write_city
from tests.dispatch.preview_history import CANDIDATE_ROUTING, END, START, Recorded, history


def past(recorded: Recorded) -> PastCase:
    """What adapters/views/history.py reads for one stream: the last decision, the returners before it."""
    opened = next(e for e in recorded.events if isinstance(e, AssignmentOpened))
    decided = [i for i, e in enumerate(recorded.events) if isinstance(e, CaseRouted | CaseUnroutable)]
    if not decided:
        return PastCase(opened, None)
    last = decided[-1]
    returners = {e.unit_code for e in recorded.events[:last] if isinstance(e, CaseReturned)}
    decision = recorded.events[last]
    assert isinstance(decision, CaseRouted | CaseUnroutable)
    return PastCase(opened, decision, frozenset(returners))


def in_period(rules: Rules) -> list[PastCase]:
    cases = [past(recorded) for recorded in history(rules)]
    return [case for case in cases if START <= case.opened.opened_at < END]


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> City:
    return load_city(write_city(Path(tmp_path_factory.mktemp("candidate")) / "city", routing=CANDIDATE_ROUTING))


def preview(rules: Rules, city: City, limit: int = 1000) -> PreviewResult:
    assert city.units is not None
    assert city.routing is not None
    return compare(in_period(rules), city.units, city.routing, limit)


def test_the_current_tables_change_nothing_on_a_history_they_decided(rules: Rules, city: City) -> None:
    result = preview(rules, city)

    assert (result.compared, result.manual, result.undecided) == (11, 1, 1)
    assert result.changed_total == 0
    assert result.changed == ()
    assert all(count.before == count.after for count in result.units)
    assert (result.unroutable_before, result.unroutable_after) == (2, 2)


def test_moving_a_class_to_another_trade_and_level_moves_its_cases(rules: Rules, candidate: City) -> None:
    result = preview(rules, candidate)

    counts = {c.unit_code: (c.before, c.after, c.delta) for c in result.units}
    assert counts == {
        "cm-320302001002-municipal": (2, 2, 0),
        "dt-320302-municipal": (1, 1, 0),
        "cm-320302001002-sanitation": (2, 0, -2),
        "dt-all-sanitation": (2, 0, -2),
        "st-320302001-enforcement": (2, 5, 3),
    }
    assert result.changed_total == 4
    assert [(c.category_code, c.before.owner, c.after.owner) for c in result.changed] == [
        ("06010", "cm-320302001002-sanitation", "st-320302001-enforcement"),
        ("06010", "cm-320302001002-sanitation", "st-320302001-enforcement"),
        ("06010", "dt-all-sanitation", "st-320302001-enforcement"),
        ("06010", "dt-all-sanitation", None),
    ]
    assert (result.unroutable_before, result.unroutable_after) == (2, 3)


def test_each_changed_case_explains_both_decisions(rules: Rules, candidate: City) -> None:
    first = preview(rules, candidate).changed[0]

    assert (first.before.rule_id, first.after.rule_id) == ("sanitation", "nuisance-squads")
    assert first.before.reason is not None
    assert first.before.reason.level == "community"
    assert first.after.reason is not None
    assert first.after.reason.level == "street"
    assert first.after.lead is not None
    assert first.after.lead.unit_name == "黄楼街道城管执法中队"
    assert "执法中队试点" in first.after.why
    assert "street" in first.after.why
    assert first.area_code is not None
    assert first.case_number is not None


def test_a_case_no_candidate_unit_takes_is_listed_under_its_category_with_the_reason(
    rules: Rules, candidate: City
) -> None:
    result = preview(rules, candidate)

    [covers, parking, nuisance] = result.unroutable
    assert (nuisance.category_code, nuisance.cases, nuisance.routed_before) == ("06010", 1, 1)
    assert nuisance.reasons == ("no unit of trade enforcement covers 320303001001001",)
    # Unroutable already: 云龙 has no enforcement, and its only municipal unit returned the case.
    assert (parking.category_code, parking.cases, parking.routed_before) == ("02001", 1, 0)
    assert (covers.category_code, covers.cases, covers.routed_before) == ("01003", 1, 0)
    assert covers.reasons == (
        "no unit of trade municipal covers 320303001001001 that has not already returned the case",
    )
    assert result.changed[-1].after.why == nuisance.reasons[0]


def test_units_that_returned_a_case_stay_left_out_in_the_replay(rules: Rules, city: City) -> None:
    """The 01003 case in 云龙 was returned by the only municipal unit there: still unroutable, not 'changed'."""
    returned = next(case for case in in_period(rules) if case.returned_by)
    assert city.units is not None
    assert city.routing is not None
    alone = compare([returned], city.units, city.routing)
    forgetful = compare([PastCase(returned.opened, returned.decision)], city.units, city.routing)

    assert alone.changed_total == 0
    assert alone.unroutable_after == 1
    assert forgetful.changed_total == 1  # proof that the exclusion is what keeps it unchanged


def test_the_changed_list_is_capped_but_the_total_is_counted(rules: Rules, candidate: City) -> None:
    result = preview(rules, candidate, limit=1)

    assert result.changed_total == 4
    assert len(result.changed) == 1


def test_a_candidate_taking_no_rule_for_a_category_is_refused_in_the_loaders_words(city: City) -> None:
    without_water = ROUTING.replace('categories: ["01001", "01002"]', 'categories: ["01001"]').replace(
        'categories: ["01"]', 'categories: ["01003"]'
    )

    with pytest.raises(InvalidInput) as refused:
        candidate_tables(city, None, without_water)

    assert refused.value.path == "/routing_yaml"
    assert refused.value.reason.startswith("routing.yaml: no rule takes categories 01002 污水井盖")
    assert "routing-preview-" not in refused.value.reason  # the temporary folder is not the caller's business


def test_a_broken_candidate_units_table_is_refused_at_its_row(city: City) -> None:
    broken = UNITS.replace('covers: ["320303"]', 'covers: ["999999"]')

    with pytest.raises(InvalidInput) as refused:
        candidate_tables(city, broken, None)

    assert refused.value.path == "/units_yaml"
    assert refused.value.reason.startswith(
        "units.yaml: units[1] (dt-320303-municipal), line 10: covers unknown jurisdiction code '999999'"
    )


def test_candidate_units_are_checked_against_the_citys_own_routing_table(city: City) -> None:
    no_water = "\n".join(line for line in UNITS.splitlines() if "trade: water" not in line)

    with pytest.raises(InvalidInput) as refused:
        candidate_tables(city, no_water, None)

    assert refused.value.path == "/units_yaml"
    assert "no unit of trade 'water'" in refused.value.reason


def test_a_district_without_a_unit_of_a_lead_trade_is_refused_not_counted_as_unroutable(city: City) -> None:
    """The loader's rule: 云龙 without its water bureau leaves the water rule's cases there no owner at all."""
    no_water_in_yunlong = "\n".join(line for line in UNITS.splitlines() if "dt-320303-water" not in line)

    with pytest.raises(InvalidInput) as refused:
        candidate_tables(city, no_water_in_yunlong, None)

    assert refused.value.path == "/units_yaml"
    assert "no unit of the lead trade 'water'" in refused.value.reason
    assert "320303 云龙区" in refused.value.reason


def test_left_out_tables_are_the_running_citys(city: City) -> None:
    units, table = candidate_tables(city, None, CANDIDATE_ROUTING)

    assert units is city.units
    rule = table.rule_for("06010")
    assert rule is not None
    assert rule.lead == "enforcement"
    assert candidate_tables(city, None, None) == (city.units, city.routing)


def test_nested_aliases_that_would_expand_past_the_limit_are_refused_before_the_loader() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    bomb = "\n".join(levels) + "\n"
    assert len(bomb) < 1000

    with pytest.raises(InvalidInput) as refused:
        check_expansion(bomb, "/units_yaml")

    assert refused.value.rule == "yaml-too-large"
    assert str(MAX_YAML_NODES) in refused.value.reason


def test_a_few_aliases_and_a_city_sized_table_pass_the_expansion_check() -> None:
    check_expansion("base: &limits {sign_for: 30 minutes}\nrules: [{limits: *limits}, {limits: *limits}]\n", "/r")
    check_expansion(UNITS * 100, "/units_yaml")


def test_candidate_units_are_checked_against_the_citys_duty_assignments() -> None:
    """The demo city's duty.yaml fixes officers to 万通社区工作站·执法: a table without it would not start."""
    demo = load_city(Path(__file__).resolve().parents[2] / "cities" / "xuzhou-demo")
    units = (demo.path / "units.yaml").read_text(encoding="utf-8")
    station = "id: cm-320302001002-enforcement,"
    without = "".join(line for line in units.splitlines(keepends=True) if station not in line)

    with pytest.raises(InvalidInput) as refused:
        candidate_tables(demo, without, None)
    kept, _ = candidate_tables(demo, units, None)

    assert refused.value.path == "/units_yaml"
    assert refused.value.reason.startswith("duty.yaml: assignments[0] (officer-320302001002-1), line 13: unit:")
    assert "cm-320302001002-enforcement" in kept.by_id
