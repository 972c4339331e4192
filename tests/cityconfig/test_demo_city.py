"""The shipped demo city (cities/xuzhou-demo): it loads, and points land where they should."""

from __future__ import annotations

from collections import Counter

import pytest
from shapely.geometry import Point

from cityconfig import City, Place

# WGS-84 demo points and the district whose real outline holds each (tools/demo_city/generate.py checks it).
DEMO_POINTS = [
    (34.2680, 117.1920, "320302"),
    (34.2561, 117.2290, "320303"),
    (34.2300, 117.1650, "320311"),
    (34.2602, 117.2055, "320303"),
    (34.2190, 117.1830, "320311"),
    (34.2600, 117.1900, "320303"),
]
OUTSIDE = [(39.9, 116.4), (31.23, 121.47), (34.50, 117.20), (0.0, 0.0)]


def place_of(city: City, lat: float, lon: float) -> Place:
    place = city.locate(lat, lon)
    assert place is not None
    return place


def test_the_demo_city_has_the_three_central_districts_and_their_units(demo_city: City) -> None:
    levels = Counter(j.level for j in demo_city.jurisdictions.values())

    assert levels == {"district": 3, "street": 31, "community": 282, "grid": 837}


def test_the_demo_city_is_named_after_its_folder(demo_city: City) -> None:
    assert demo_city.name == "xuzhou-demo"


def test_every_community_has_two_to_four_grids(demo_city: City) -> None:
    grids = Counter(j.parent for j in demo_city.jurisdictions.values() if j.level == "grid")
    communities = [code for code, j in demo_city.jurisdictions.items() if j.level == "community"]

    assert sorted({grids[code] for code in communities}) == [2, 3, 4]


def test_every_jurisdiction_lies_within_its_parent(demo_city: City) -> None:
    outside = [
        code
        for code, j in demo_city.jurisdictions.items()
        if j.parent is not None and not demo_city.jurisdictions[j.parent].geometry.covers(j.geometry)
    ]

    assert outside == []


def test_no_placeholder_community_or_empty_functional_zone_is_shipped(demo_city: City) -> None:
    names = [j.name for j in demo_city.jurisdictions.values()]

    assert [n for n in names if "虚拟" in n] == []
    assert demo_city.jurisdiction("320303400") is None


@pytest.mark.parametrize(("lat", "lon", "district"), DEMO_POINTS)
def test_a_demo_point_falls_in_its_real_district(demo_city: City, lat: float, lon: float, district: str) -> None:
    assert place_of(demo_city, lat, lon).district_code == district


@pytest.mark.parametrize(("lat", "lon", "district"), DEMO_POINTS)
def test_a_demo_point_locates_to_a_grid_whose_code_extends_its_community_street_and_district(
    demo_city: City, lat: float, lon: float, district: str
) -> None:
    place = place_of(demo_city, lat, lon)

    assert place.grid_code is not None
    assert place.community_code is not None
    assert place.street_code is not None
    assert place.grid_code[:12] == place.community_code
    assert place.community_code[:9] == place.street_code
    assert place.street_code[:6] == place.district_code == district


@pytest.mark.parametrize(("lat", "lon", "district"), DEMO_POINTS)
def test_the_located_grid_contains_the_point(demo_city: City, lat: float, lon: float, district: str) -> None:
    grid_code = place_of(demo_city, lat, lon).grid_code
    assert grid_code is not None
    grid = demo_city.jurisdiction(grid_code)

    assert grid is not None
    assert grid.level == "grid"
    assert grid.geometry.covers(Point(lon, lat))


@pytest.mark.parametrize(("lat", "lon"), OUTSIDE)
def test_a_point_outside_the_city_locates_to_nothing(demo_city: City, lat: float, lon: float) -> None:
    assert demo_city.locate(lat, lon) is None


@pytest.mark.parametrize(("lat", "lon"), OUTSIDE)
def test_the_city_does_not_contain_a_point_outside_it(demo_city: City, lat: float, lon: float) -> None:
    assert demo_city.contains(lat, lon) is False


def test_the_city_contains_a_demo_point(demo_city: City) -> None:
    assert demo_city.contains(34.2680, 117.1920) is True


def test_a_point_on_the_edge_between_two_districts_gets_one_answer(demo_city: City) -> None:
    # 117.187°E is the synthetic edge of 泉山区 against 鼓楼区 and 云龙区: the lower code wins the tie.
    assert place_of(demo_city, 34.30, 117.187).district_code == "320302"


@pytest.mark.parametrize("code", ["320302", "320303001", "320311003001", "320302008201001"])
def test_a_representative_point_locates_back_into_its_jurisdiction(demo_city: City, code: str) -> None:
    lat, lon = demo_city.representative_point(code)
    place = place_of(demo_city, lat, lon)

    assert code in (place.grid_code, place.community_code, place.street_code, place.district_code)


def test_a_representative_point_of_an_unknown_code_is_a_key_error(demo_city: City) -> None:
    with pytest.raises(KeyError, match="999999"):
        demo_city.representative_point("999999")


def test_a_jurisdiction_is_found_by_its_code(demo_city: City) -> None:
    street = demo_city.jurisdiction("320302001")

    assert street is not None
    assert (street.name, street.level, street.parent) == ("黄楼街道", "street", "320302")


def test_an_unknown_jurisdiction_code_gives_none(demo_city: City) -> None:
    assert demo_city.jurisdiction("320399") is None
