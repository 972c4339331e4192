"""Choosing the lead and assisting units from the category and the place, and saying why."""

from __future__ import annotations

from cityconfig import City
from schemas.intake import Place
from services.dispatch.domain.routing import RouteDecision, RouteRequest, Unroutable, choose_route
from tests.dispatch.city_fixture import COMMUNITY, GRID, OTHER_COMMUNITY, OTHER_DISTRICT_GRID, STREET


def place(grid: str) -> Place:
    return Place(district_code=grid[:6], street_code=grid[:9], community_code=grid[:12], grid_code=grid)


def route(city: City, category: str, at: Place | None, exclude: tuple[str, ...] = ()) -> RouteDecision | Unroutable:
    assert city.units is not None
    assert city.routing is not None
    return choose_route(RouteRequest(category, "normal", at, exclude), city.units, city.routing)


def test_a_community_station_member_of_the_right_trade_takes_its_communitys_case(city: City) -> None:
    decision = route(city, "06010", place(GRID))  # 暴露垃圾 in 万通社区

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "cm-320302001002-sanitation"
    reason = decision.reason
    assert (reason.rule_id, reason.area_code, reason.area_level, reason.level) == (
        "sanitation",
        GRID,
        "grid",
        "community",
    )
    assert reason.fallback is None
    chosen = [c for c in reason.candidates if c.chosen]
    assert [(c.unit_code, c.covers) for c in chosen] == [("cm-320302001002-sanitation", COMMUNITY)]
    assert decision.limits.disposal is not None
    assert decision.limits.disposal.amount == 4
    assert decision.limits.sign_for is not None
    assert decision.limits.sign_for.amount == 30


def test_without_a_community_unit_the_next_coarser_level_takes_it_and_the_reason_says_so(city: City) -> None:
    decision = route(city, "06010", place(OTHER_COMMUNITY + "001"))

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "dt-all-sanitation"
    assert decision.reason.fallback is not None
    assert "district" in decision.reason.fallback


def test_an_exact_code_rule_beats_its_class_and_brings_assisting_units(city: City) -> None:
    decision = route(city, "01002", place(GRID))  # 污水井盖: water leads, municipal assists

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "dt-320302-water"
    assert [unit.id for unit in decision.assisting] == ["dt-320302-municipal"]  # at the rule's level
    assert decision.reason.assisting_trades == ["municipal"]


def test_a_direct_to_street_rule_goes_to_the_street(city: City) -> None:
    decision = route(city, "06001", place(GRID))  # 私搭乱建

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "st-320302001-office"
    assert decision.reason.direct_to_street
    assert [unit.id for unit in decision.assisting] == ["st-320302001-enforcement"]


def test_a_place_known_only_to_its_street_is_routed_at_street_level(city: City) -> None:
    decision = route(city, "09001", Place(district_code=STREET[:6], street_code=STREET))

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "st-320302001-enforcement"
    assert decision.reason.area_level == "street"


def test_units_that_returned_the_case_are_left_out_and_listed(city: City) -> None:
    decision = route(city, "06010", place(GRID), exclude=("cm-320302001002-sanitation",))

    assert isinstance(decision, RouteDecision)
    assert decision.lead.id == "dt-all-sanitation"
    returned = [c for c in decision.reason.candidates if c.unit_code == "cm-320302001002-sanitation"]
    assert returned
    assert not returned[0].chosen
    assert "returned" in returned[0].why
    assert decision.reason.excluded == ["cm-320302001002-sanitation"]


def test_no_unit_covering_the_place_or_no_place_is_unroutable_with_a_reason(city: City) -> None:
    no_squad = route(city, "09001", place(OTHER_DISTRICT_GRID))
    nowhere = route(city, "09001", None)

    assert isinstance(no_squad, Unroutable)
    assert "enforcement" in no_squad.reason
    assert no_squad.area_code == OTHER_DISTRICT_GRID
    assert isinstance(nowhere, Unroutable)
    assert "no place" in nowhere.reason


def test_the_same_case_and_tables_always_give_the_same_decision(city: City) -> None:
    assert route(city, "01002", place(GRID)) == route(city, "01002", place(GRID))
