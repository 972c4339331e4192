"""The divisions the demo city is cut from: districts, streets and communities with their real codes and names."""

from __future__ import annotations

from dataclasses import dataclass

SHORT_SUFFIXES = (("居民委员会", ""), ("居委会", ""), ("村民委员会", "村"), ("村委会", "村"))


@dataclass(frozen=True)
class Division:
    """One row of divisions.csv: a district, street or community with its real code and name."""

    level: str
    code: str
    name: str
    parent: str


def short_name(name: str) -> str:
    """万通社区居委会 -> 万通社区, 薛桥村委会 -> 薛桥村."""
    for suffix, replacement in SHORT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name
