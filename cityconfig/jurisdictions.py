"""辖区: a city's districts (区), streets (街道), communities (社区) and unit grids (单元网格), read from GeoJSON.

Codes follow DOMAIN.md ("Jurisdiction and codes"): a district has 6 digits (GB/T 2260), a street 3 more,
a community 3 more, and a unit grid 3 more (15 digits); each code starts with its parent's code.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from cityconfig.errors import CityConfigError

Level = Literal["district", "street", "community", "grid"]

LEVELS: tuple[Level, ...] = ("district", "street", "community", "grid")
CODE_DIGITS: Mapping[Level, int] = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL: Mapping[Level, Level | None] = {
    "district": None,
    "street": "district",
    "community": "street",
    "grid": "community",
}
# Overlaps and overhangs up to a square metre are rounding in the source, not two owners of one place.
NESTING_TOLERANCE_M2 = 1.0
METRES_PER_DEGREE = 111_195.0
# RFC 7946 GeoJSON is WGS-84; CGCS2000 differs from it by well under a metre (see cityconfig.coords).
WGS84_LABELS = frozenset({"WGS84", "WGS-84", "EPSG:4326", "CRS84", "CGCS2000", "EPSG:4490"})


@dataclass(frozen=True)
class Jurisdiction:
    """辖区: one district, street, community or unit grid, with its outline in WGS-84 (x = lon, y = lat)."""

    code: str
    name: str
    level: Level
    parent: str | None
    geometry: BaseGeometry


@dataclass(frozen=True)
class Place:
    """落点: the jurisdictions a point falls in, finest first; None for a level with no polygon under the point."""

    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None


def read_jurisdictions(path: Path) -> dict[str, Jurisdiction]:
    """Read and check a FeatureCollection of jurisdictions; raise CityConfigError naming the first problem."""
    features = _features(path, _read_json(path))
    jurisdictions: dict[str, Jurisdiction] = {}
    where: dict[str, str] = {}
    for index, feature in enumerate(features):
        jurisdiction, label = _jurisdiction(path, index, feature)
        if jurisdiction.code in jurisdictions:
            raise CityConfigError(
                path, f"duplicate code {jurisdiction.code}, already used by {where[jurisdiction.code]}", label
            )
        jurisdictions[jurisdiction.code] = jurisdiction
        where[jurisdiction.code] = label
    for code, jurisdiction in jurisdictions.items():
        _check_parent(path, where[code], jurisdiction, jurisdictions)
    if not any(j.level == "district" for j in jurisdictions.values()):
        raise CityConfigError(path, "defines no district")
    _check_nesting(path, where, jurisdictions)
    return jurisdictions


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CityConfigError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as why:
        raise CityConfigError(path, f"is not readable JSON: {why}") from None


def _features(path: Path, document: Any) -> list[Any]:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise CityConfigError(path, "is not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise CityConfigError(path, "has no 'features' list")
    return features


def _jurisdiction(path: Path, index: int, feature: Any) -> tuple[Jurisdiction, str]:
    label = f"feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise CityConfigError(path, "is not a GeoJSON Feature", label)
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise CityConfigError(path, "has no properties", label)
    code = properties.get("code")
    if isinstance(code, str) and code:
        label = f"feature {index} ({code})"
    missing = [
        key for key in ("code", "name", "level") if not isinstance(properties.get(key), str) or not properties[key]
    ]
    if missing:
        raise CityConfigError(path, f"lacks {', '.join(missing)} (each a non-empty string)", label)
    level = next((known for known in LEVELS if known == properties["level"]), None)
    if level is None:
        raise CityConfigError(
            path, f"unknown level {properties['level']!r} (expected one of {', '.join(LEVELS)})", label
        )
    digits = CODE_DIGITS[level]
    if not re.fullmatch(rf"\d{{{digits}}}", properties["code"]):
        raise CityConfigError(
            path, f"code {properties['code']!r} is not {digits} digits as a {level} code must be", label
        )
    parent = properties.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent):
        raise CityConfigError(path, f"parent {parent!r} is not a code string", label)
    crs = properties.get("coord_sys")
    if crs is not None and str(crs).upper() not in WGS84_LABELS:
        raise CityConfigError(
            path, f"coord_sys {crs!r}: geometry must be WGS-84 (convert with cityconfig.coords)", label
        )
    geometry = _geometry(path, label, feature.get("geometry"))
    return Jurisdiction(properties["code"], properties["name"], level, parent, geometry), label


def _geometry(path: Path, label: str, raw: Any) -> BaseGeometry:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else raw
        raise CityConfigError(path, f"geometry must be a Polygon or MultiPolygon, not {kind!r}", label)
    try:
        geometry = shape(raw)
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as why:
        raise CityConfigError(path, f"geometry cannot be read: {why!r}", label) from None
    if geometry.is_empty:
        raise CityConfigError(path, "geometry is empty", label)
    if not geometry.is_valid:
        raise CityConfigError(path, f"geometry is invalid: {explain_validity(geometry)}", label)
    west, south, east, north = geometry.bounds
    if not all(math.isfinite(v) for v in geometry.bounds) or not (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    ):
        raise CityConfigError(path, "geometry is not in degrees of longitude and latitude", label)
    shapely.prepare(geometry)
    return geometry


def _check_nesting(path: Path, where: Mapping[str, str], jurisdictions: Mapping[str, Jurisdiction]) -> None:
    """No two areas of one level overlap (网格不重叠), and each lies inside its parent, up to rounding.

    Bulk STRtree queries, not pairwise loops: a 10,000-grid city is checked in well under a second.
    """
    for level in LEVELS:
        codes = sorted(code for code, j in jurisdictions.items() if j.level == level)
        geometries = np.array([jurisdictions[code].geometry for code in codes], dtype=object)
        first, second = STRtree(geometries).query(geometries, predicate="intersects")
        keep = first < second
        first, second = first[keep], second[keep]
        # Neighbours share edges; only pairs whose interiors meet can overlap by an area.
        inner = shapely.relate_pattern(geometries[first], geometries[second], "T********")
        first, second = first[inner], second[inner]
        areas = _square_metres(shapely.intersection(geometries[first], geometries[second]))
        for a, b, area in zip(first.tolist(), second.tolist(), areas.tolist(), strict=True):
            if area > NESTING_TOLERANCE_M2:
                problem = f"{level} {codes[a]} and {level} {codes[b]} overlap by {area:,.0f} m²"
                raise CityConfigError(path, problem, where[codes[b]])
    children = [j for j in jurisdictions.values() if j.parent is not None]
    inside = shapely.covered_by(
        np.array([j.geometry for j in children], dtype=object),
        np.array([jurisdictions[j.parent].geometry for j in children if j.parent], dtype=object),
    )
    for child, covered in zip(children, inside.tolist(), strict=True):
        if covered or child.parent is None:
            continue
        outside = float(_square_metres(child.geometry.difference(jurisdictions[child.parent].geometry))[0])
        if outside > NESTING_TOLERANCE_M2:
            problem = f"{child.level} {child.code} reaches {outside:,.0f} m² outside its parent {child.parent}"
            raise CityConfigError(path, problem, where[child.code])


def _square_metres(geometries: Any) -> NDArray[np.float64]:
    """Areas of (lon, lat) geometries in m², at each one's own latitude (plenty for a tolerance)."""
    bounds = np.reshape(shapely.bounds(geometries), (-1, 4))
    latitude = np.radians((bounds[:, 1] + bounds[:, 3]) / 2)
    area = np.nan_to_num(np.reshape(shapely.area(geometries), -1))
    return np.asarray(area * METRES_PER_DEGREE**2 * np.cos(np.nan_to_num(latitude)))


def _check_parent(path: Path, label: str, child: Jurisdiction, known: Mapping[str, Jurisdiction]) -> None:
    expected = PARENT_LEVEL[child.level]
    if child.parent is None:
        if expected is not None:
            raise CityConfigError(path, f"a {child.level} needs a parent {expected}", label)
        return
    if expected is None:
        raise CityConfigError(path, f"a district has no parent, but this names {child.parent}", label)
    parent = known.get(child.parent)
    if parent is None:
        raise CityConfigError(path, f"unknown parent {child.parent}", label)
    if parent.level != expected:
        raise CityConfigError(
            path, f"parent {parent.code} is a {parent.level}, a {child.level}'s must be a {expected}", label
        )
    if not child.code.startswith(parent.code):
        raise CityConfigError(path, f"code {child.code} does not start with its parent's code {parent.code}", label)
