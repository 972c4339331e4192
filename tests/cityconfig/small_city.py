"""A small valid city, one jurisdiction of each level, written to a folder so a test can break it one way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CATEGORIES_HEADER = "code\tname\tname_en\tkind\tmajor_code\tmajor_name\turgency"
CATEGORY_ROWS = [
    "01002\t污水井盖\tSewage manhole cover\tcomponent\t01\t市政公用设施\turgent",
    "06010\t暴露垃圾\tExposed garbage\tmatter\t06\t市容环境类\tnormal",
]


def square(west: float, south: float, size: float) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, level: str, parent: str | None, geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"{level} {code}", "level": level, "parent": parent},
        "geometry": geometry or square(117.0, 34.0, 0.1),
    }


def small_city_features() -> list[dict[str, Any]]:
    """One of each level, nested: district 320302 > street 001 > community 002 > grid 001."""
    return [
        feature("320302", "district", None, square(117.0, 34.0, 0.4)),
        feature("320302001", "street", "320302", square(117.0, 34.0, 0.2)),
        feature("320302001002", "community", "320302001", square(117.0, 34.0, 0.1)),
        feature("320302001002001", "grid", "320302001002", square(117.0, 34.0, 0.05)),
    ]


def write_city(
    folder: Path,
    features: list[dict[str, Any]],
    category_rows: list[str] | None = None,
    header: str = CATEGORIES_HEADER,
    settings: str | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    (folder / "jurisdictions.geojson").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    rows = CATEGORY_ROWS if category_rows is None else category_rows
    (folder / "categories.tsv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    if settings is not None:
        (folder / "city.toml").write_text(settings, encoding="utf-8")
    return folder
