"""`routing.yaml`: a broken routing table stops the city at load, saying file, rule and fix; the demo's loads."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cityconfig import DEFAULT_CITY, City, load_city
from cityconfig.routing_table import RoutingTable, parse_limit
from cityconfig.units import UNIT_LEVELS
from schemas.dispatch import TimeLimit, UnitLevel
from tests.cityconfig.dispatch_city import Document, routing_document, units_document, write_dispatch_city
from tests.cityconfig.test_units import change, refusal


def loaded_routing(folder: Path) -> RoutingTable:
    routing = load_city(folder).routing
    assert routing is not None
    return routing


def test_a_code_s_own_rule_beats_its_class_s(tmp_path: Path) -> None:
    routing = loaded_routing(write_dispatch_city(tmp_path / "city"))

    assert {code: routing.by_category[code] for code in ("01002", "06010", "06001")} == {
        "01002": "municipal",
        "06010": "garbage",
        "06001": "illegal-construction",
    }


def test_a_rule_s_limits_override_the_defaults_stage_by_stage(tmp_path: Path) -> None:
    garbage = loaded_routing(write_dispatch_city(tmp_path / "city")).rules["garbage"]

    normal = garbage.limits["normal"]
    assert normal.disposal == TimeLimit(amount=4, unit="working_hours")  # the rule's
    assert normal.sign_for == TimeLimit(amount=30, unit="minutes")  # the defaults'
    assert garbage.limits["urgent"].disposal == TimeLimit(amount=2, unit="hours")
    assert garbage.limits["low"].disposal is None  # neither says


def test_a_direct_to_street_rule_keeps_its_lead_assist_and_level(tmp_path: Path) -> None:
    rule = loaded_routing(write_dispatch_city(tmp_path / "city")).rules["illegal-construction"]

    assert (rule.lead, rule.assist, rule.level, rule.direct_to_street) == (
        "street-office",
        ("enforcement",),
        "street",
        True,
    )
    assert rule.description == "illegal-construction"  # no description: the id stands in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 working_hours", TimeLimit(amount=4, unit="working_hours")),
        (" 15  working_days ", TimeLimit(amount=15, unit="working_days")),
    ],
)
def test_a_time_limit_is_an_amount_and_a_unit(text: str, expected: TimeLimit) -> None:
    assert parse_limit(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 working_hour", "unknown unit 'working_hour' (did you mean 'working_hours'?)"),
        ("4h", "must be '<n> <unit>'"),
        ("0 hours", "n ≥ 1"),
        (4, "must be '<n> <unit>'"),
    ],
)
def test_a_bad_time_limit_says_what_a_good_one_looks_like(text: object, expected: str) -> None:
    with pytest.raises(ValueError, match="time limit") as refused:
        parse_limit(text)

    assert expected in str(refused.value)


def add_rule(**rule: object) -> Callable[[Document], Document]:
    def apply(document: Document) -> Document:
        document["rules"].append({"id": "extra", "lead": "municipal", "level": "district", **rule})
        return document

    return apply


def drop_units_of(trade: str) -> Callable[[Document], Document]:
    def apply(document: Document) -> Document:
        document["units"] = [u for u in document["units"] if u["trade"] != trade]
        return document

    return apply


def drop_unit(unit_id: str) -> Callable[[Document], Document]:
    def apply(document: Document) -> Document:
        document["units"] = [u for u in document["units"] if u["id"] != unit_id]
        return document

    return apply


BROKEN_ROUTING: list[tuple[str, Callable[[Document], Document], list[str]]] = [
    ("a category no rule takes", lambda d: {**d, "rules": d["rules"][1:]}, ["no rule takes categories 01002 污水井盖"]),
    ("an unknown category code", add_rule(categories=["01999"]), ["rules[3] (extra)", "category code 01999 is not in categories.tsv"]),  # noqa: E501
    ("an unknown category class", add_rule(categories=["42"]), ["category class 42 is not in categories.tsv"]),
    ("a category as a number", change("rules.0.categories", [1]), ["category 1 is a number: quote codes"]),
    ("a malformed category", change("rules.0.categories", ["0100"]), ["'0100' is neither a code (5 digits) nor a class"]),  # noqa: E501
    ("a code taken by two rules", add_rule(categories=["06001"]), ["category 06001 私搭乱建 is taken by both illegal-construction and extra"]),  # noqa: E501
    ("a rule that takes nothing", add_rule(id="sewage", categories=["01002"]), ["rules[0] (municipal)", "takes no category: each of its codes has a rule of its own"]),  # noqa: E501
    ("an unknown lead trade", change("rules.0.lead", "municpal"), ["unknown trade 'municpal' (did you mean 'municipal'?)", "known, from units.yaml"]),  # noqa: E501
    ("an unknown assisting trade", change("rules.2.assist", ["police"]), ["rules[2] (illegal-construction)", "unknown trade 'police'"]),  # noqa: E501
    ("no lead trade", change("rules.0.lead", None), ["needs a 'lead' trade"]),
    ("a trade leading and assisting", change("rules.2.assist", ["street-office"]), ["cannot both lead and assist"]),
    ("a bad time limit", change("rules.1.limits.normal.disposal", "4 working_hour"), ["rules[1] (garbage)", "normal.disposal: time limit '4 working_hour': unknown unit 'working_hour' (did you mean 'working_hours'?)"]),  # noqa: E501
    ("a bad default", change("defaults.urgent.sign_for", "ten minutes"), ["defaults", "urgent.sign_for: time limit 'ten minutes'"]),  # noqa: E501
    ("an unknown stage", change("rules.1.limits.normal", {"dispose": "1 hours"}), ["unknown key 'dispose' (did you mean 'disposal'?)"]),  # noqa: E501
    ("an unknown urgency", change("rules.1.limits", {"nromal": {"disposal": "1 hours"}}), ["unknown urgency 'nromal' (did you mean 'normal'?)"]),  # noqa: E501
    ("a typo in a rule's key", change("rules.2.assists", ["enforcement"]), ["unknown key 'assists' (did you mean 'assist'?)"]),  # noqa: E501
    ("a typo in a top-level key", lambda d: {"defaults": d["defaults"], "rule": d["rules"]}, ["unknown key 'rule' (did you mean 'rules'?)"]),  # noqa: E501
    ("direct to the street below the street", change("rules.2.level", "community"), ["街乡镇直派", "routes at level 'street', not 'community'"]),  # noqa: E501
    ("direct_to_street not a boolean", change("rules.2.direct_to_street", "yes please"), ["must be true or false"]),
    ("an unknown level", change("rules.0.level", "city"), ["level 'city'", "must be one of district, street, community"]),  # noqa: E501
    ("a duplicate rule id", add_rule(id="garbage", categories=["06010"]), ["duplicate rule id garbage"]),
    ("no rules", change("rules", []), ["'rules' must be a non-empty list"]),
]  # fmt: skip

# Routing rules that name what units.yaml no longer has: broken by a change to the units.
UNITS_MISSING: list[tuple[str, Callable[[Document], Document], list[str]]] = [
    ("a lead trade with no unit", drop_units_of("street-office"), ["rules[2] (illegal-construction)", "no unit of trade 'street-office' exists in units.yaml"]),  # noqa: E501
    ("an assisting trade with no unit", drop_units_of("enforcement"), ["no unit of trade 'enforcement' exists"]),
    ("a district without a unit of the lead trade", drop_unit("cm-320303001001-sanitation"), ["rules[1] (garbage)", "no unit of the lead trade 'sanitation' (环卫) covers any place of district 320303 district 320303", "so cases there of 06010 暴露垃圾 would have no owner", "add to units.yaml a sanitation unit covering each such district"]),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [(breakage, expected) for _, breakage, expected in BROKEN_ROUTING],
    ids=[case for case, _, _ in BROKEN_ROUTING],
)
def test_a_broken_routing_table_is_refused_with_the_rule_and_the_fault(
    tmp_path: Path, breakage: Callable[[Document], Document], expected: list[str]
) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", routing=breakage(routing_document())))

    assert refused.file.name == "routing.yaml"
    assert all(part in str(refused) for part in expected), str(refused)


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [(breakage, expected) for _, breakage, expected in UNITS_MISSING],
    ids=[case for case, _, _ in UNITS_MISSING],
)
def test_a_rule_no_unit_can_take_is_refused_naming_the_trade(
    tmp_path: Path, breakage: Callable[[Document], Document], expected: list[str]
) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", units=breakage(units_document())))

    assert refused.file.name == "routing.yaml"
    assert all(part in str(refused) for part in expected), str(refused)


def test_a_rule_s_message_points_at_its_line(tmp_path: Path) -> None:
    text = (
        "rules:\n"
        "  - {id: municipal, categories: ['01'], lead: municipal, level: district}\n"
        "  - {id: garbage, categories: ['06'], lead: sanitaton, level: community}\n"
    )

    refused = refusal(write_dispatch_city(tmp_path / "city", routing=text))

    assert refused.where == "rules[1] (garbage), line 3"
    assert "did you mean 'sanitation'?" in refused.problem


def test_a_routing_table_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", routing="rules:\n  - id: a\n   lead: b\n"))

    assert refused.file.name == "routing.yaml"
    assert "is not readable YAML" in refused.problem


# The demo city (cities/xuzhou-demo): the illustrative routing table of its README.


def demo_routing(city: City) -> RoutingTable:
    assert city.routing is not None
    return city.routing


def test_every_demo_category_is_routed(demo_city: City) -> None:
    routing = demo_routing(demo_city)

    assert len(demo_city.categories) == 250
    assert sorted(routing.by_category) == sorted(demo_city.categories)


def test_every_demo_case_has_a_lead_unit_in_every_community(demo_city: City) -> None:
    """For each rule and community, a unit of the lead trade at the rule's level or coarser covers it."""
    units, routing = demo_city.units, demo_routing(demo_city)
    assert units is not None
    communities = [code for code, j in demo_city.jurisdictions.items() if j.level == "community"]

    def owner(lead: str, level: UnitLevel, community: str) -> str | None:
        coarser = UNIT_LEVELS[: UNIT_LEVELS.index(level) + 1][::-1]
        unit = next((u for lv in coarser if (u := units.find(lead, lv, community))), None)
        return unit.id if unit else None

    orphans = [(r.id, c) for r in routing.rules.values() for c in communities if owner(r.lead, r.level, c) is None]

    assert orphans == []


@pytest.mark.parametrize(
    ("code", "rule", "lead", "assist", "level"),
    [
        ("01037", "street-lamps", "municipal", (), "district"),
        ("01046", "municipal-facilities", "municipal", (), "community"),
        ("01002", "water-supply-drainage", "water", ("municipal",), "district"),
        ("04002", "landscaping", "landscaping", (), "community"),
        ("06010", "exposed-garbage", "sanitation", (), "community"),
        ("07001", "advertising", "enforcement", (), "community"),
        ("08001", "construction-sites", "enforcement", (), "street"),
        ("09006", "street-order", "enforcement", (), "community"),
        ("09015", "markets-and-food", "market", ("enforcement",), "district"),
        ("02014", "traffic-control", "traffic-police", (), "district"),
        ("06001", "illegal-construction", "street-office", ("enforcement",), "street"),
    ],
)
def test_demo_categories_go_to_the_plausible_trade(
    demo_city: City, code: str, rule: str, lead: str, assist: tuple[str, ...], level: str
) -> None:
    chosen = demo_routing(demo_city).rule_for(code)

    assert chosen is not None
    assert (chosen.id, chosen.lead, chosen.assist, chosen.level) == (rule, lead, assist, level)


def test_illegal_construction_goes_straight_to_the_street_within_15_working_days(demo_city: City) -> None:
    rule = demo_routing(demo_city).rule_for("08016")

    assert rule is not None
    assert rule.direct_to_street
    assert {u: rule.limits[u].disposal for u in ("urgent", "normal", "low")} == dict.fromkeys(
        ("urgent", "normal", "low"), TimeLimit(amount=15, unit="working_days")
    )


@pytest.mark.parametrize(
    ("code", "urgency", "disposal"),
    [
        ("06010", "normal", TimeLimit(amount=4, unit="working_hours")),  # exposed garbage
        ("01002", "urgent", TimeLimit(amount=2, unit="hours")),  # lost sewage manhole cover
        ("01037", "normal", TimeLimit(amount=1, unit="working_days")),  # street lamps
        ("09005", "normal", TimeLimit(amount=3, unit="working_days")),  # the default
    ],
)
def test_demo_disposal_limits_follow_the_domain_s_examples(
    demo_city: City, code: str, urgency: str, disposal: TimeLimit
) -> None:
    rule = demo_routing(demo_city).rule_for(code)

    assert rule is not None
    assert rule.limits[urgency].disposal == disposal  # type: ignore[index]


def test_every_demo_rule_has_every_stage_limit_at_every_urgency(demo_city: City) -> None:
    gaps = [
        (rule.id, urgency, stage)
        for rule in demo_routing(demo_city).rules.values()
        for urgency, limits in rule.limits.items()
        for stage, limit in limits.model_dump().items()
        if limit is None
    ]

    assert gaps == []
    urgent = demo_routing(demo_city).rules["municipal-facilities"].limits["urgent"]
    assert (urgent.sign_for, urgent.confirmation, urgent.verification) == (
        TimeLimit(amount=10, unit="minutes"),
        TimeLimit(amount=1, unit="hours"),
        TimeLimit(amount=1, unit="hours"),
    )


def test_the_demo_city_loads_with_units_and_routing_in_reasonable_time() -> None:
    # A generous bound, about twenty times the usual: it catches a quadratic check, not a slow machine.
    started = time.perf_counter()
    city = load_city(DEFAULT_CITY)
    elapsed = time.perf_counter() - started

    assert city.units is not None
    assert city.routing is not None
    assert elapsed < 10.0


def test_the_demo_routing_file_says_it_is_illustrative(demo_city: City) -> None:
    head = (demo_city.path / "routing.yaml").read_text(encoding="utf-8").splitlines()[:3]

    assert any("ILLUSTRATIVE" in line and line.startswith("#") for line in head)
