"""A small valid city with units and a routing table, written to a folder so a test can break one thing.

Two districts, each with one street and one community, so a check per district has something to find.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.cityconfig.small_city import CATEGORY_ROWS, feature, small_city_features, square, write_city

Document = dict[str, Any]

EXTRA_CATEGORIES = ["06001\t私搭乱建\tUnauthorised structures\tmatter\t06\t市容环境类\tnormal"]


def unit(unit_id: str, name: str, trade: str, level: str, *covers: str) -> Document:
    return {"id": unit_id, "name": name, "trade": trade, "level": level, "covers": list(covers)}


UNITS: Document = {
    "trades": {"enforcement": "城管执法", "municipal": "市政", "sanitation": "环卫", "street-office": "街道办事处"},
    "units": [
        unit("dt-320302-municipal", "鼓楼区市政", "municipal", "district", "320302"),
        unit("dt-320303-municipal", "云龙区市政", "municipal", "district", "320303"),
        unit("st-320302001-enforcement", "黄楼中队", "enforcement", "street", "320302001"),
        unit("st-320303001-enforcement", "彭城中队", "enforcement", "street", "320303001"),
        unit("st-320302001-office", "黄楼街道办事处", "street-office", "street", "320302001"),
        unit("st-320303001-office", "彭城街道办事处", "street-office", "street", "320303001"),
        unit("cm-320302001002-sanitation", "万通社区工作站·环卫", "sanitation", "community", "320302001002"),
        unit("cm-320303001001-sanitation", "彭城社区工作站·环卫", "sanitation", "community", "320303001001"),
    ],
}

ROUTING: Document = {
    "defaults": {
        "urgent": {"sign_for": "10 minutes", "disposal": "2 hours"},
        "normal": {"sign_for": "30 minutes", "confirmation": "1 hours", "disposal": "3 working_days"},
    },
    "rules": [
        {"id": "municipal", "categories": ["01"], "lead": "municipal", "level": "district"},
        {
            "id": "garbage",
            "description": "暴露垃圾: the station's sanitation member",
            "categories": ["06"],
            "lead": "sanitation",
            "level": "community",
            "limits": {"normal": {"disposal": "4 working_hours"}},
        },
        {
            "id": "illegal-construction",
            "categories": ["06001"],
            "lead": "street-office",
            "assist": ["enforcement"],
            "level": "street",
            "direct_to_street": True,
            "limits": {"normal": {"disposal": "15 working_days"}},
        },
    ],
}


def two_district_features() -> list[dict[str, Any]]:
    """The small city's 320302 branch, and a second district 320303 > 320303001 > 320303001001."""
    return [
        *small_city_features(),
        feature("320303", "district", None, square(117.4, 34.0, 0.4)),
        feature("320303001", "street", "320303", square(117.4, 34.0, 0.2)),
        feature("320303001001", "community", "320303001", square(117.4, 34.0, 0.1)),
    ]


def units_document() -> Document:
    return copy.deepcopy(UNITS)


def routing_document() -> Document:
    return copy.deepcopy(ROUTING)


def write_dispatch_city(
    folder: Path, units: Document | str | None = None, routing: Document | str | None = None
) -> Path:
    """The city with `units.yaml` and `routing.yaml` (documents, or raw text); None writes the valid one."""
    write_city(folder, two_district_features(), [*CATEGORY_ROWS, *EXTRA_CATEGORIES])
    for name, document in (("units.yaml", units or UNITS), ("routing.yaml", routing or ROUTING)):
        text = document if isinstance(document, str) else yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")
    return folder
