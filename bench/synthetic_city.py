"""A generated city of N unit grids (default 10,000) for the point-resolution bench and tests.

Deterministic for a seed. Each level is a Voronoi diagram of random seeds inside its parent, clipped
to the parent, so borders run at every angle (not the demo city's axis-aligned tiles) and every
child lies inside its parent. Every 40th community and every 5th street keeps one extra Voronoi
cell unassigned, so some points have a street but no community, or a community but no grid.
Grids average about 0.3 km², as in a dense Chinese city; codes follow DOMAIN.md (6+3+3+3 digits).

`python -m bench.synthetic_city OUT [N]` writes a loadable city folder.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from cityconfig.city import CATEGORIES_FILE, DEFAULT_CITY, JURISDICTIONS_FILE

GRID_AREA_KM2 = 0.3
GRIDS_PER_COMMUNITY, COMMUNITIES_PER_STREET, STREETS_PER_DISTRICT = 10, 25, 10
CENTRE = (117.2, 34.25)  # (lon, lat), near Xuzhou; the city is a box around it
DISTRICT_PREFIX = 3299  # 32 Jiangsu, 99 no real prefecture: plainly not a real place


def _split(total: int, parts: int) -> list[int]:
    """`total` as `parts` near-equal positive counts."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _seeds(rng: np.random.Generator, area: BaseGeometry, count: int) -> np.ndarray:
    """`count` distinct random points strictly inside `area` (rejection sampling from its bounds)."""
    west, south, east, north = area.bounds
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        xy = np.column_stack([rng.uniform(west, east, 4 * count), rng.uniform(south, north, 4 * count)])
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(xy)
        have += len(xy)
    return np.concatenate(found)[:count]


def _cells(rng: np.random.Generator, parent: BaseGeometry, count: int) -> list[BaseGeometry]:
    """`parent` cut into `count` Voronoi cells of random seeds, in the seeds' order."""
    if count == 1:
        return [parent]
    seeds = _seeds(rng, parent, count)
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent, ordered=True)
    pieces = shapely.intersection(np.array(diagram.geoms, dtype=object), parent)
    return [shapely.make_valid(piece) if not piece.is_valid else piece for piece in pieces]


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Drop the slivers of lower dimension a clip can leave, keeping a Polygon or MultiPolygon."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]
    return shapely.union_all(polygons)


def synthetic_features(grids: int = 10_000, seed: int = 7) -> list[dict[str, Any]]:
    """GeoJSON features of a city with exactly `grids` unit grids, nested district > street > community > grid."""
    rng = np.random.default_rng(seed)
    communities = math.ceil(grids / GRIDS_PER_COMMUNITY)
    streets = math.ceil(communities / COMMUNITIES_PER_STREET)
    districts = math.ceil(streets / STREETS_PER_DISTRICT)
    lon, lat = CENTRE
    side_km = math.sqrt(grids * GRID_AREA_KM2)
    half_lat = side_km / 2 / 111.2
    half_lon = half_lat / math.cos(math.radians(lat))
    city = box(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)
    features: list[dict[str, Any]] = []

    def add(code: str, level: str, parent: str | None, geometry: BaseGeometry, name: str) -> None:
        geometry = _polygonal(geometry)
        properties = {"code": code, "name": name, "level": level, "parent": parent}
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})

    street_counts = _split(streets, districts)
    community_counts = _split(communities, streets)
    grid_counts = _split(grids, communities)
    street_index = community_index = 0
    for d, district_area in enumerate(_cells(rng, city, districts)):
        district = f"{DISTRICT_PREFIX}{d + 1:02d}"
        add(district, "district", None, district_area, f"合成{d + 1}区")
        for s, street_area in enumerate(_cells(rng, district_area, street_counts[d])):
            street = f"{district}{s + 1:03d}"
            add(street, "street", district, street_area, f"合成{d + 1}区{s + 1}街道")
            count = community_counts[street_index]
            gap = street_index % 5 == 1  # one Voronoi cell of this street belongs to no community
            for c, community_area in enumerate(_cells(rng, street_area, count + gap)[:count]):
                community = f"{street}{c + 1:03d}"
                add(community, "community", street, community_area, f"合成{street}{c + 1}社区")
                n = grid_counts[community_index]
                hole = community_index % 40 == 1  # and one of this community's belongs to no grid
                for g, grid_area in enumerate(_cells(rng, community_area, n + hole)[:n]):
                    add(f"{community}{g + 1:03d}", "grid", community, grid_area, f"{community}社区第{g + 1}网格")
                community_index += 1
            street_index += 1
    return features


def write_synthetic_city(folder: Path, grids: int = 10_000, seed: int = 7) -> Path:
    """A loadable city folder: the generated jurisdictions and the demo city's categories."""
    folder.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": synthetic_features(grids, seed)}
    (folder / JURISDICTIONS_FILE).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    shutil.copyfile(DEFAULT_CITY / CATEGORIES_FILE, folder / CATEGORIES_FILE)
    return folder


if __name__ == "__main__":
    target = write_synthetic_city(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
    print(target)
