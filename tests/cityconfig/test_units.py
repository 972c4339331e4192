"""`units.yaml`: a broken unit table stops the city at load, saying file, unit and what to fix; the demo's loads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from cityconfig import City, CityConfigError, load_city
from cityconfig.units import Units
from schemas.dispatch import UnitLevel
from tests.cityconfig.dispatch_city import Document, units_document, write_dispatch_city


def loaded_units(folder: Path) -> Units:
    units = load_city(folder).units
    assert units is not None
    return units


def refusal(folder: Path) -> CityConfigError:
    with pytest.raises(CityConfigError) as refused:
        load_city(folder)
    return refused.value


def test_a_valid_unit_table_loads_with_every_unit_and_trade(tmp_path: Path) -> None:
    units = loaded_units(write_dispatch_city(tmp_path / "city"))

    assert len(units.by_id) == 8
    assert units.trades["sanitation"] == "环卫"
    assert [u.id for u in units.of_trade("enforcement", "street")] == [
        "st-320302001-enforcement",
        "st-320303001-enforcement",
    ]


def test_find_gives_the_one_unit_of_a_trade_and_level_over_an_area(tmp_path: Path) -> None:
    units = loaded_units(write_dispatch_city(tmp_path / "city"))

    grid = "320302001002001"
    wanted: list[tuple[str, UnitLevel]] = [
        ("sanitation", "community"),
        ("enforcement", "street"),
        ("municipal", "district"),
    ]
    found = {level: units.find(trade, level, grid) for trade, level in wanted}

    assert {level: unit.id for level, unit in found.items() if unit} == {
        "community": "cm-320302001002-sanitation",
        "street": "st-320302001-enforcement",
        "district": "dt-320302-municipal",
    }
    assert units.find("sanitation", "street", grid) is None  # no street-level sanitation unit
    assert units.find("sanitation", "community", "320302001") is None  # a street is coarser than a community
    assert units.find("municipal", "district", None) is None


def test_districts_of_a_trade_are_those_where_some_unit_of_it_covers_a_place(tmp_path: Path) -> None:
    units = loaded_units(write_dispatch_city(tmp_path / "city"))

    assert units.districts_of("sanitation") == {"320302", "320303"}
    assert units.districts_of("water") == set()


def test_one_code_may_be_covered_by_several_trades_and_levels(tmp_path: Path) -> None:
    document = units_document()
    extra = {"id": "st-320302001-sanitation", "name": "黄楼环卫所", "trade": "sanitation", "level": "street"}
    document["units"].append({**extra, "covers": [320302001]})

    units = loaded_units(write_dispatch_city(tmp_path / "city", units=document))

    assert units.by_id["st-320302001-sanitation"].covers == ("320302001",)  # a bare number is read as the code


def change(path: str, value: object) -> Callable[[Document], Document]:
    """Set a value by a dotted path (`units.0.covers`); a None value deletes the key."""

    def apply(document: Document) -> Document:
        *parents, last = path.split(".")
        target: object = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
        if value is None:
            del target[last]  # type: ignore[attr-defined]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value  # type: ignore[index]
        return document

    return apply


def add_unit(**unit: object) -> Callable[[Document], Document]:
    def apply(document: Document) -> Document:
        document["units"].append({"name": "新单位", "level": "street", "trade": "enforcement", **unit})
        return document

    return apply


BROKEN_UNITS: list[tuple[str, Callable[[Document], Document], list[str]]] = [
    ("typo in a top-level key", lambda d: {"trades": d["trades"], "unit": d["units"]}, ["unknown key 'unit' (did you mean 'units'?)"]),  # noqa: E501
    ("typo in a unit's key", change("units.2.cover", ["320302001"]), ["units[2] (st-320302001-enforcement)", "unknown key 'cover' (did you mean 'covers'?)"]),  # noqa: E501
    ("a unit covering nothing", change("units.2.covers", []), ["st-320302001-enforcement", "covers nothing"]),
    ("a unit without covers", change("units.2.covers", None), ["covers nothing: 'covers' must list the street codes"]),
    ("an unknown jurisdiction code", change("units.2.covers", ["320302009"]), ["unknown jurisdiction code '320302009'"]),  # noqa: E501
    ("a code of another level", change("units.2.covers", ["320302001002"]), ["a street unit covers street codes (9 digits), not the community 320302001002"]),  # noqa: E501
    ("a code listed twice", change("units.2.covers", ["320302001", "320302001"]), ["covers 320302001 twice"]),
    ("a code covered twice by one trade and level", add_unit(id="st-320302001-squad-2", covers=["320302001"]), ["st-320302001-enforcement and st-320302001-squad-2 both cover 320302001", "one owner per place"]),  # noqa: E501
    ("an unknown trade", change("units.2.trade", "enforcment"), ["unknown trade 'enforcment' (did you mean 'enforcement'?)", "known, from 'trades'"]),  # noqa: E501
    ("an unknown level", change("units.2.level", "streets"), ["level 'streets' (did you mean 'street'?)"]),
    ("a duplicate unit id", add_unit(id="st-320302001-enforcement", covers=["320302001"]), ["duplicate unit id st-320302001-enforcement"]),  # noqa: E501
    ("an id with capitals", change("units.2.id", "ST-1"), ["id 'ST-1' must be a-z, 0-9 and '-'"]),
    ("a unit without a name", change("units.2.name", " "), ["needs a name"]),
    ("a covers entry that is not a code", change("units.2.covers", [{"code": "320302001"}]), ["each entry is a jurisdiction code"]),  # noqa: E501
    ("no trades", change("trades", {}), ["'trades' must map each trade id to its name"]),
    ("no units", change("units", []), ["'units' must be a non-empty list"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [(breakage, expected) for _, breakage, expected in BROKEN_UNITS],
    ids=[case for case, _, _ in BROKEN_UNITS],
)
def test_a_broken_unit_table_is_refused_with_the_unit_and_the_fault(
    tmp_path: Path, breakage: Callable[[Document], Document], expected: list[str]
) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", units=breakage(units_document())))

    assert refused.file.name == "units.yaml"
    assert all(part in str(refused) for part in expected), str(refused)


def test_the_message_points_at_the_line_of_the_unit(tmp_path: Path) -> None:
    text = "trades:\n  enforcement: 城管执法\nunits:\n  - {id: a, name: A, trade: enforcement, level: street, covers: [320302001]}\n  - {id: b, name: B, trade: enforcment, level: street, covers: [320303001]}\n"  # noqa: E501

    refused = refusal(write_dispatch_city(tmp_path / "city", units=text))

    assert refused.where == "units[1] (b), line 5"


def test_text_that_is_not_yaml_is_refused_with_the_place_of_the_fault(tmp_path: Path) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", units="trades: {enforcement: 城管执法\nunits: [\n"))

    assert refused.file.name == "units.yaml"
    assert "is not readable YAML" in refused.problem
    assert "line" in refused.problem


def test_a_key_given_twice_is_refused_not_silently_resolved(tmp_path: Path) -> None:
    text = "trades:\n  enforcement: 城管执法\nunits:\n  - id: a\n    name: A\n    trade: enforcement\n    level: street\n    level: community\n    covers: ['320302001']\n"  # noqa: E501

    refused = refusal(write_dispatch_city(tmp_path / "city", units=text))

    assert "found key 'level' twice" in refused.problem
    assert "line 8" in refused.problem


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    refused = refusal(write_dispatch_city(tmp_path / "city", units="- just\n- a list\n"))

    assert "must be a mapping with 'trades' and 'units'" in refused.problem


def test_units_without_a_routing_table_are_refused_naming_the_missing_file(tmp_path: Path) -> None:
    city = write_dispatch_city(tmp_path / "city")
    (city / "routing.yaml").unlink()

    refused = refusal(city)

    assert refused.file.name == "routing.yaml"
    assert refused.problem == "file is missing: Dispatch needs it beside units.yaml, which is present"


def test_a_routing_table_without_units_is_refused_naming_the_missing_file(tmp_path: Path) -> None:
    city = write_dispatch_city(tmp_path / "city")
    (city / "units.yaml").unlink()

    refused = refusal(city)

    assert refused.file.name == "units.yaml"
    assert refused.problem == "file is missing: Dispatch needs it beside routing.yaml, which is present"


def test_a_city_with_neither_file_loads_without_units(tmp_path: Path) -> None:
    city = write_dispatch_city(tmp_path / "city")
    (city / "units.yaml").unlink()
    (city / "routing.yaml").unlink()

    loaded = load_city(city)

    assert loaded.units is None
    assert loaded.routing is None


# The demo city (cities/xuzhou-demo): the illustrative unit set of its README.


def demo_units(city: City) -> Units:
    assert city.units is not None
    return city.units


def test_every_demo_community_has_its_2_1_1_1_station(demo_city: City) -> None:
    units = demo_units(demo_city)
    communities = [j for j in demo_city.jurisdictions.values() if j.level == "community"]
    trades = ("enforcement", "municipal", "landscaping", "sanitation")

    stations = {(c.code, trade): units.find(trade, "community", c.code) for c in communities for trade in trades}

    assert [key for key, unit in stations.items() if unit is None] == []
    station = units.by_id["cm-320302001002-municipal"]
    assert (station.name, station.trade, station.level, station.covers) == (
        "万通社区工作站·市政",
        "municipal",
        "community",
        ("320302001002",),
    )


def test_every_demo_street_has_an_enforcement_squad_and_an_office(demo_city: City) -> None:
    units = demo_units(demo_city)
    streets = [j for j in demo_city.jurisdictions.values() if j.level == "street"]

    squads = [units.find("enforcement", "street", s.code) for s in streets]
    offices = [units.find("street-office", "street", s.code) for s in streets]

    assert all(squads)
    assert all(offices)
    assert units.by_id["st-320302001-enforcement"].name == "黄楼街道城管执法中队"


def test_every_demo_district_has_its_six_bureaus(demo_city: City) -> None:
    units = demo_units(demo_city)

    bureaus = Counter(u.covers for u in units.by_id.values() if u.level == "district")

    assert bureaus == {("320302",): 6, ("320303",): 6, ("320311",): 6}
    assert {u.trade for u in units.by_id.values() if u.level == "district"} == {
        "municipal",
        "landscaping",
        "sanitation",
        "water",
        "market",
        "traffic-police",
    }


def test_demo_unit_ids_follow_the_level_code_trade_pattern(demo_city: City) -> None:
    units = demo_units(demo_city)
    prefix = {"district": "dt", "street": "st", "community": "cm"}

    odd = [u.id for u in units.by_id.values() if not u.id.startswith(f"{prefix[u.level]}-{u.covers[0]}-")]

    assert odd == []
    assert len(units.by_id) == 3 * 6 + 31 * 2 + 282 * 4


def test_the_demo_unit_file_says_it_is_illustrative(demo_city: City) -> None:
    head = (demo_city.path / "units.yaml").read_text(encoding="utf-8").splitlines()[:3]

    assert any("ILLUSTRATIVE" in line and line.startswith("#") for line in head)


def test_units_of_a_trade_come_in_file_order_at_any_or_one_level(demo_city: City) -> None:
    units = demo_units(demo_city)

    municipal = units.of_trade("municipal")

    assert [u.id for u in municipal[:2]] == ["dt-320302-municipal", "cm-320302001002-municipal"]
    assert len(municipal) == 3 + 282
    assert [u.level for u in units.of_trade("municipal", "district")] == ["district"] * 3
    assert units.of_trade("no-such-trade") == []
