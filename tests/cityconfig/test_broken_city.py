"""A broken city folder is refused at load with a CityConfigError naming the file, the feature or row, and the fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cityconfig import CityConfigError, load_city
from tests.cityconfig.small_city import CATEGORY_ROWS, feature, small_city_features, square, write_city

Features = list[dict[str, Any]]


def with_feature(extra: dict[str, Any]) -> Callable[[Features], Features]:
    return lambda features: [*features, extra]


def with_property(index: int, key: str, value: Any) -> Callable[[Features], Features]:
    def change(features: Features) -> Features:
        features[index]["properties"][key] = value
        return features

    return change


def with_geometry(index: int, geometry: Any) -> Callable[[Features], Features]:
    def change(features: Features) -> Features:
        features[index]["geometry"] = geometry
        return features

    return change


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[117.0, 34.0], [117.1, 34.1], [117.1, 34.0], [117.0, 34.1], [117.0, 34.0]]],
}
LINE = {"type": "LineString", "coordinates": [[117.0, 34.0], [117.1, 34.1]]}

BROKEN_JURISDICTIONS: list[tuple[str, Callable[[Features], Features], str]] = [
    ("unknown parent", with_feature(feature("320302009", "street", "320309")), "unknown parent 320309"),
    ("bad code for level", with_property(1, "code", "32030200"), "'32030200' is not 9 digits"),
    ("code not under parent", with_feature(feature("320303002", "street", "320302")), "does not start with its parent"),
    ("unknown level", with_property(3, "level", "block"), "unknown level 'block'"),
    ("duplicate code", with_feature(feature("320302001", "street", "320302")), "duplicate code 320302001"),
    ("self-intersecting geometry", with_geometry(2, BOWTIE), "geometry is invalid"),
    ("line geometry", with_geometry(2, LINE), "must be a Polygon or MultiPolygon"),
    ("missing geometry", with_geometry(2, None), "must be a Polygon or MultiPolygon"),
    ("projected coordinates", with_geometry(0, square(500000.0, 3790000.0, 1000.0)), "not in degrees"),
    ("feature without a name", with_property(1, "name", ""), "lacks name"),
    ("feature without a code", with_property(1, "code", None), "lacks code"),
    ("top-level street", with_feature(feature("320303001", "street", None)), "a street needs a parent district"),
    ("district with a parent", with_property(0, "parent", "3203"), "a district has no parent"),
    ("grid under a street", with_property(3, "parent", "320302001"), "parent 320302001 is a street"),
    ("GCJ-02 outline", with_property(0, "coord_sys", "GCJ-02"), "must be WGS-84"),
]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [(change, expected) for _, change, expected in BROKEN_JURISDICTIONS],
    ids=[case for case, _, _ in BROKEN_JURISDICTIONS],
)
def test_a_broken_jurisdictions_file_is_refused_with_the_reason(
    tmp_path: Path, breakage: Callable[[Features], Features], expected: str
) -> None:
    city = write_city(tmp_path / "city", breakage(small_city_features()))

    with pytest.raises(CityConfigError, match=r"jurisdictions\.geojson") as refused:
        load_city(city)

    assert expected in str(refused.value)


def test_the_message_names_the_offending_feature(tmp_path: Path) -> None:
    city = write_city(tmp_path / "city", with_property(2, "code", "3203020010")(small_city_features()))

    with pytest.raises(CityConfigError, match=r"feature 2 \(3203020010\)"):
        load_city(city)


def test_the_small_valid_city_loads(tmp_path: Path) -> None:
    city = load_city(write_city(tmp_path / "city", small_city_features()))

    place = city.locate(34.01, 117.01)
    assert place is not None
    assert place.grid_code == "320302001002001"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "not readable JSON"),
        (json.dumps({"type": "Feature", "properties": {}}), "not a GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection"}), "no 'features' list"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "defines no district"),
    ],
    ids=["not json", "not a collection", "no features", "no district"],
)
def test_a_jurisdictions_file_that_is_no_feature_collection_is_refused(
    tmp_path: Path, content: str, expected: str
) -> None:
    city = write_city(tmp_path / "city", [])
    (city / "jurisdictions.geojson").write_text(content, encoding="utf-8")

    with pytest.raises(CityConfigError, match=expected):
        load_city(city)


@pytest.mark.parametrize("missing", ["jurisdictions.geojson", "categories.tsv"])
def test_a_missing_file_is_refused_naming_it(tmp_path: Path, missing: str) -> None:
    city = write_city(tmp_path / "city", small_city_features())
    (city / missing).unlink()

    with pytest.raises(CityConfigError, match=rf"{missing}: file is missing"):
        load_city(city)


def test_a_missing_city_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CityConfigError, match="no such directory"):
        load_city(tmp_path / "nowhere")


BROKEN_CATEGORIES: list[tuple[str, list[str], str]] = [
    ("bad code", ["0100\t井盖\tCover\tcomponent\t01\t市政公用设施\turgent"], "code '0100' is not 5 digits"),
    ("unknown kind", ["01002\t污水井盖\tSewage cover\tpart\t01\t市政公用设施\turgent"], "unknown kind 'part'"),
    ("unknown urgency", ["01002\t污水井盖\tSewage cover\tcomponent\t01\t市政公用设施\tasap"], "unknown urgency 'asap'"),
    ("duplicate code", [*CATEGORY_ROWS, CATEGORY_ROWS[0]], "line 4 (01002): duplicate code 01002"),
    ("missing gloss", ["01002\t污水井盖\t\tcomponent\t01\t市政公用设施\turgent"], "empty or missing name_en"),
    ("short row", ["01002\t污水井盖"], "empty or missing name_en, kind"),
    ("major code mismatch", ["01002\t污水井盖\tSewage cover\tcomponent\t02\t交通设施\turgent"], "major_code '02'"),
    ("no rows", [], "lists no category"),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(rows, expected) for _, rows, expected in BROKEN_CATEGORIES],
    ids=[case for case, _, _ in BROKEN_CATEGORIES],
)
def test_a_broken_categories_file_is_refused_with_the_reason(tmp_path: Path, rows: list[str], expected: str) -> None:
    city = write_city(tmp_path / "city", small_city_features(), category_rows=rows)

    with pytest.raises(CityConfigError, match=r"categories\.tsv") as refused:
        load_city(city)

    assert expected in str(refused.value)


def test_a_categories_file_without_the_urgency_column_is_refused(tmp_path: Path) -> None:
    header = "code\tname\tname_en\tkind\tmajor_code\tmajor_name"
    city = write_city(tmp_path / "city", small_city_features(), category_rows=[], header=header)

    with pytest.raises(CityConfigError, match="line 1: header lacks the column"):
        load_city(city)
