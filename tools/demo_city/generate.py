"""Write `cities/xuzhou-demo` (jurisdictions, categories, units, routing table) from source/, deterministically.

    .venv/bin/python -m tools.demo_city.generate [--source tools/demo_city/source] [--out cities/xuzhou-demo]

Names and codes are real (NBS 2023 统计用区划代码); the geometry is synthetic (see layout.py and the
city's README.md). The real district outlines (GCJ-02, AMap's) only give each district's extent and are
not shipped in the city folder. Sources, provenance and licences: source/PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely import make_valid, transform
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from cityconfig.catalogue import COLUMNS, read_categories
from cityconfig.coords import to_wgs84
from tools.demo_city.divisions import Division, short_name
from tools.demo_city.layout import Box, district_boxes, round_box, tile
from tools.demo_city.routing import write_routing
from tools.demo_city.units import write_units

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).resolve().with_name("source")
OUT = ROOT / "cities" / "xuzhou-demo"
GULOU, YUNLONG, QUANSHAN = "320302", "320303", "320311"

# Demo report locations (WGS-84 lat, lon) and the district whose real outline contains each.
DEMO_POINTS: dict[tuple[float, float], str] = {
    (34.2680, 117.1920): GULOU,
    (34.2561, 117.2290): YUNLONG,
    (34.2300, 117.1650): QUANSHAN,
    (34.2602, 117.2055): YUNLONG,
    (34.2190, 117.1830): QUANSHAN,
    (34.2600, 117.1900): YUNLONG,
}
# NBS lists one "虚拟社区" per functional zone (code ending 498): a statistical placeholder, not a community.
PLACEHOLDER_MARK = "虚拟社区"


def read_divisions(source: Path) -> list[Division]:
    """The three central districts' rows, without placeholder communities and the streets left empty by that."""
    with (source / "divisions.csv").open(encoding="utf-8", newline="") as file:
        rows = [Division(r["level"], r["code"], r["name"], r["parent_code"]) for r in csv.DictReader(file)]
    rows = [r for r in rows if r.code[:6] in (GULOU, YUNLONG, QUANSHAN)]
    rows = [r for r in rows if not (r.level == "community" and PLACEHOLDER_MARK in r.name)]
    populated = {r.parent for r in rows if r.level == "community"}
    return [r for r in rows if r.level != "street" or r.code in populated]


def real_outlines(source: Path) -> dict[str, BaseGeometry]:
    """The AMap district outlines converted from GCJ-02 to WGS-84, vertex by vertex (only for extents and checks)."""
    document = json.loads((source / "districts.geojson").read_text(encoding="utf-8"))

    def to_wgs(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.array([to_wgs84(lat, lon, "GCJ02")[::-1] for lon, lat in coords])

    outlines: dict[str, BaseGeometry] = {}
    for feature in document["features"]:
        gcj = make_valid(shape(feature["geometry"]))  # 鼓楼区's two parts share an edge (PROVENANCE.md)
        outlines[feature["properties"]["code"]] = transform(gcj, to_wgs)
    return outlines


def grid_count(community_code: str) -> int:
    """2, 3 or 4 unit grids per community, fixed by the code so every run gives the same split."""
    return 2 + int(community_code) % 3


def build_features(divisions: Sequence[Division], outlines: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    """Every jurisdiction as a GeoJSON feature, each district followed by its streets, communities and grids."""
    children: dict[str, list[Division]] = {}
    for division in divisions:
        children.setdefault(division.parent, []).append(division)
    extents: dict[str, Box] = {code: outline.bounds for code, outline in outlines.items()}
    boxes = district_boxes(extents, west_code=QUANSHAN, north_code=GULOU, south_code=YUNLONG)

    def weight(code: str) -> int:  # grids under a code: communities get areas in proportion to their grids
        kids = children.get(code)
        return sum(weight(kid.code) for kid in kids) if kids else grid_count(code)

    features: list[dict[str, Any]] = []

    def emit(division: Division, box: Box, parent: str | None) -> None:
        features.append(_feature(division.code, division.name, division.level, parent, round_box(box)))
        kids = children.get(division.code, [])
        if division.level == "community":
            for number, grid_box in enumerate(tile(box, [1] * grid_count(division.code)), start=1):
                name = f"{short_name(division.name)}第{number}网格"
                features.append(
                    _feature(f"{division.code}{number:03d}", name, "grid", division.code, round_box(grid_box))
                )
        elif kids:
            for kid, kid_box in zip(kids, tile(box, [weight(k.code) for k in kids]), strict=True):
                emit(kid, kid_box, division.code)

    for district in (d for d in divisions if d.level == "district"):
        emit(district, boxes[district.code], None)
    return features


def check_demo_points(features: Sequence[dict[str, Any]], outlines: dict[str, BaseGeometry]) -> None:
    """Each demo point must fall in the same district in the synthetic layout as in the real outline."""
    districts = {
        f["properties"]["code"]: shape(f["geometry"]) for f in features if f["properties"]["level"] == "district"
    }
    for (lat, lon), expected in DEMO_POINTS.items():
        point = Point(lon, lat)
        real = [code for code, outline in outlines.items() if outline.covers(point)]
        synthetic = [code for code, box in districts.items() if box.covers(point)]
        if real != [expected] or synthetic != [expected]:
            raise SystemExit(f"demo point ({lat}, {lon}): expected {expected}, real {real}, synthetic {synthetic}")


def write_jurisdictions(path: Path, features: Sequence[dict[str, Any]]) -> None:
    # One feature a line: readable diffs when the layout or the source data change.
    lines = ",\n".join(json.dumps(feature, ensure_ascii=False) for feature in features)
    path.write_text(f'{{"type": "FeatureCollection", "features": [\n{lines}\n]}}\n', encoding="utf-8")


def write_categories(source: Path, glosses_path: Path, path: Path) -> None:
    """The 250 categories of source/categories.tsv with an English gloss and a default urgency each."""
    with (source / "categories.tsv").open(encoding="utf-8", newline="") as file:
        categories = list(csv.DictReader(file, delimiter="\t"))
    with glosses_path.open(encoding="utf-8", newline="") as file:
        glosses = {row["code"]: row for row in csv.DictReader(file, delimiter="\t")}
    unglossed = [row["code"] for row in categories if row["code"] not in glosses]
    if unglossed or len(glosses) != len(categories):
        raise SystemExit(f"{glosses_path} does not match the categories: missing {unglossed}")
    lines = ["\t".join(COLUMNS)]
    for row in sorted(categories, key=lambda r: r["code"]):
        merged = {**row, "name_en": glosses[row["code"]]["name_en"], "urgency": glosses[row["code"]]["urgency"]}
        lines.append("\t".join(merged[column] for column in COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(source: Path, out: Path) -> None:
    outlines = real_outlines(source)
    divisions = read_divisions(source)
    features = build_features(divisions, outlines)
    check_demo_points(features, outlines)
    out.mkdir(parents=True, exist_ok=True)
    write_jurisdictions(out / "jurisdictions.geojson", features)
    write_categories(source, Path(__file__).with_name("glosses.tsv"), out / "categories.tsv")
    write_units(out / "units.yaml", divisions)
    write_routing(out / "routing.yaml", read_categories(out / "categories.tsv"))


def _feature(code: str, name: str, level: str, parent: str | None, box: Box) -> dict[str, Any]:
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]  # counter-clockwise
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent": parent},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder of the source data (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="city folder to write (default: %(default)s)")
    args = parser.parse_args(argv)
    generate(args.source, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
