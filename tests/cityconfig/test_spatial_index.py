"""The h3 point index answers exactly as plain shapely containment, at every level, on borders and outside;
and a city whose areas overlap, or stick out of their parents, is refused at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from h3.api import basic_int as h3

from bench.synthetic_city import write_synthetic_city
from cityconfig import City, CityConfigError, load_city
from cityconfig.h3cells import covering_cells, grown_rings, parents
from cityconfig.jurisdictions import Place
from cityconfig.spatial import CellIndex, ExactIndex
from tests.cityconfig.small_city import feature, square, write_city

DISTRICT, STREET_1, STREET_2 = "320302", "320302001", "320302002"
COMMUNITY_1, COMMUNITY_2 = "320302001001", "320302002001"
GRID_1, GRID_2 = "320302001001001", "320302001001002"


def nested_features() -> list[dict[str, Any]]:
    """A district of two streets side by side (x = 117.2 shared); a community in each; two grids in the first
    community side by side (x = 117.05 shared). Parts of the district, street and community have no child."""
    return [
        feature(DISTRICT, "district", None, square(117.0, 34.0, 0.4)),
        feature(STREET_1, "street", DISTRICT, square(117.0, 34.0, 0.2)),
        feature(STREET_2, "street", DISTRICT, square(117.2, 34.0, 0.2)),
        feature(COMMUNITY_1, "community", STREET_1, square(117.0, 34.0, 0.1)),
        feature(COMMUNITY_2, "community", STREET_2, square(117.2, 34.0, 0.1)),
        feature(GRID_1, "grid", COMMUNITY_1, square(117.0, 34.0, 0.05)),
        feature(GRID_2, "grid", COMMUNITY_1, square(117.05, 34.0, 0.05)),
    ]


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory) -> City:
    return load_city(write_city(tmp_path_factory.mktemp("nested"), nested_features()))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> City:
    return load_city(write_synthetic_city(tmp_path_factory.mktemp("generated"), grids=800, seed=11))


def chain(grid: str | None, community: str | None, street: str | None, district: str | None) -> Place:
    return Place(grid_code=grid, community_code=community, street_code=street, district_code=district)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (117.02, 34.02, chain(GRID_1, COMMUNITY_1, STREET_1, DISTRICT)),
        (117.07, 34.02, chain(GRID_2, COMMUNITY_1, STREET_1, DISTRICT)),
        (117.02, 34.08, chain(None, COMMUNITY_1, STREET_1, DISTRICT)),  # a community with no grid there
        (117.15, 34.15, chain(None, None, STREET_1, DISTRICT)),  # a street with no community there
        (117.25, 34.05, chain(None, COMMUNITY_2, STREET_2, DISTRICT)),
        (117.3, 34.3, chain(None, None, None, DISTRICT)),  # a district with no street there
        (117.05, 34.02, chain(GRID_1, COMMUNITY_1, STREET_1, DISTRICT)),  # shared grid edge: the lower code
        (117.05, 34.05, chain(GRID_1, COMMUNITY_1, STREET_1, DISTRICT)),  # corner of both grids: the lower code
        # On the streets' shared edge: the lower street wins, and its community is searched under it only,
        # so community 2 (whose edge this is too, but under street 2) is not the answer.
        (117.2, 34.05, chain(None, None, STREET_1, DISTRICT)),
        (117.0, 34.0, chain(GRID_1, COMMUNITY_1, STREET_1, DISTRICT)),  # the city's outer corner belongs to it
        (117.4, 34.4, chain(None, None, None, DISTRICT)),
    ],
)
def test_a_point_resolves_to_the_smallest_areas_holding_it(
    nested: City, lon: float, lat: float, expected: Place
) -> None:
    assert nested.locate(lat, lon) == expected
    assert ExactIndex(nested.jurisdictions).locate(lon, lat) == expected


@pytest.mark.parametrize(("lon", "lat"), [(116.99, 34.1), (117.41, 34.1), (117.2, 34.4000001), (0.0, 0.0)])
def test_a_point_outside_every_district_resolves_to_nothing(nested: City, lon: float, lat: float) -> None:
    assert nested.locate(lat, lon) is None


def test_every_demo_grid_resolves_back_to_itself_and_its_parents(demo_city: City) -> None:
    grids = [j for j in demo_city.jurisdictions.values() if j.level == "grid"]
    for grid in grids:
        lat, lon = demo_city.representative_point(grid.code)
        place = demo_city.locate(lat, lon)
        assert place is not None
        assert place == demo_city.place_of(grid.code)
        assert place.grid_code == grid.code
        assert place.community_code == grid.parent


def test_place_of_gives_a_code_its_chain_of_parents(nested: City) -> None:
    assert nested.place_of(GRID_2) == chain(GRID_2, COMMUNITY_1, STREET_1, DISTRICT)
    assert nested.place_of(COMMUNITY_2) == chain(None, COMMUNITY_2, STREET_2, DISTRICT)
    assert nested.place_of("320302009009009") is None


def random_points(city: City, count: int, seed: int) -> list[tuple[float, float]]:
    """Uniform points over the districts' box grown by a tenth (so some fall outside), then 5,000 vertices
    and edge midpoints of the polygons (borders and corners, where ties are decided)."""
    west, south, east, north = shapely.total_bounds([j.geometry for j in city.jurisdictions.values()])
    pad_x, pad_y = (east - west) / 10, (north - south) / 10
    rng = np.random.default_rng(seed)
    lons = rng.uniform(west - pad_x, east + pad_x, count)
    lats = rng.uniform(south - pad_y, north + pad_y, count)
    vertices = shapely.get_coordinates([j.geometry for j in city.jurisdictions.values()])
    midpoints = (vertices[1:] + vertices[:-1]) / 2
    border = np.vstack([vertices, midpoints])
    border = border[rng.choice(len(border), min(5_000, len(border)), replace=False)]
    return list(zip(lons.tolist(), lats.tolist(), strict=True)) + [(x, y) for x, y in border.tolist()]


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_the_cell_index_agrees_with_exact_containment_everywhere(demo_city: City, generated: City, which: str) -> None:
    city = demo_city if which == "demo" else generated
    exact = ExactIndex(city.jurisdictions)
    fast = CellIndex(city.jurisdictions, exact)
    points = random_points(city, 20_000, seed=5)

    mismatches = [(x, y) for x, y in points if fast.locate(x, y) != exact.locate(x, y)]

    assert mismatches == []
    located = sum(exact.locate(x, y) is not None for x, y in points[:20_000])
    assert 10_000 < located < 20_000  # most random points are in the city, some outside
    assert fast.stats()["border_cells"] > 0


def test_the_generated_city_has_areas_without_children(generated: City) -> None:
    places = [generated.locate(y, x) for x, y in random_points(generated, 20_000, seed=9)[:20_000]]
    assert any(p is not None and p.grid_code is None and p.community_code is not None for p in places)
    assert any(p is not None and p.community_code is None for p in places)


def test_every_point_lies_in_the_grown_ring_of_its_h3_cell(demo_city: City) -> None:
    index = CellIndex(demo_city.jurisdictions)
    rng = np.random.default_rng(3)
    west, south, east, north = index.bounds
    lons, lats = rng.uniform(west, east, 20_000), rng.uniform(south, north, 20_000)
    cells = np.array([h3.latlng_to_cell(y, x, index.resolution) for x, y in zip(lons, lats, strict=True)])
    rings, _ = grown_rings(cells.astype(np.uint64))

    assert shapely.contains_xy(shapely.polygons(rings), lons, lats).all()


def test_vectorised_parents_are_h3s_parents() -> None:
    cells = covering_cells((117.1, 34.2, 117.2, 34.3), 10)
    for resolution in (6, 7, 8, 9):
        expected = [h3.cell_to_parent(int(c), resolution) for c in cells]
        assert parents(cells, resolution).tolist() == expected


def overlapping(level: str) -> list[dict[str, Any]]:
    features = nested_features()
    if level == "grid":  # grid 2 slides 0.01° west, over grid 1
        features[6] = feature(GRID_2, "grid", COMMUNITY_1, square(117.04, 34.0, 0.05))
    elif level == "community":
        features.append(feature("320302001002", "community", STREET_1, square(117.05, 34.05, 0.1)))
    elif level == "street":
        features[2] = feature(STREET_2, "street", DISTRICT, square(117.19, 34.0, 0.2))
        features[4] = feature(COMMUNITY_2, "community", STREET_2, square(117.21, 34.0, 0.1))
    else:
        features.append(feature("320303", "district", None, square(117.3, 34.3, 0.4)))
    return features


@pytest.mark.parametrize(
    ("level", "first", "second"),
    [
        ("grid", GRID_1, GRID_2),
        ("community", COMMUNITY_1, "320302001002"),
        ("street", STREET_1, STREET_2),
        ("district", DISTRICT, "320303"),
    ],
)
def test_overlapping_siblings_are_refused_naming_both(tmp_path: Path, level: str, first: str, second: str) -> None:
    with pytest.raises(CityConfigError, match=r"jurisdictions\.geojson") as refused:
        load_city(write_city(tmp_path / "city", overlapping(level)))

    assert f"{level} {first} and {level} {second} overlap by" in str(refused.value)


def test_a_child_sticking_out_of_its_parent_is_refused(tmp_path: Path) -> None:
    features = nested_features()
    features[5] = feature(GRID_1, "grid", COMMUNITY_1, square(116.99, 34.0, 0.05))  # 0.01° west of its community

    with pytest.raises(CityConfigError, match=rf"grid {GRID_1} reaches .* m² outside its parent {COMMUNITY_1}"):
        load_city(write_city(tmp_path / "city", features))


def test_rounding_along_a_shared_edge_is_tolerated(tmp_path: Path) -> None:
    features = nested_features()
    # Grid 2 reaches 1e-9° (0.1 mm) over grid 1: half a square metre, rounding rather than a second owner.
    ring = [[117.05 - 1e-9, 34.0], [117.1, 34.0], [117.1, 34.05], [117.05 - 1e-9, 34.05], [117.05 - 1e-9, 34.0]]
    features[6] = feature(GRID_2, "grid", COMMUNITY_1, {"type": "Polygon", "coordinates": [ring]})

    city = load_city(write_city(tmp_path / "city", features))

    assert city.locate(34.02, 117.07) == chain(GRID_2, COMMUNITY_1, STREET_1, DISTRICT)


def test_a_city_file_edited_in_place_is_indexed_afresh(tmp_path: Path) -> None:
    folder = write_city(tmp_path / "city", nested_features())
    before = load_city(folder).locate(34.02, 117.02)
    features = nested_features()
    features[5] = feature("320302001001009", "grid", COMMUNITY_1, square(117.0, 34.0, 0.05))  # grid 1, renumbered
    write_city(folder, features)

    after = load_city(folder).locate(34.02, 117.02)

    assert before is not None
    assert after is not None
    assert (before.grid_code, after.grid_code) == (GRID_1, "320302001001009")
