"""责任单位: the units a city routes cases to, read from `units.yaml` (trade 专业, level 层级, coverage 辖区).

A unit covers jurisdiction codes of its own level (a street squad covers street codes); it
answers for everything under them. Two units of one trade and level never cover one code, so
the unit a case goes to is never a matter of luck.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import CODE_DIGITS, Jurisdiction
from schemas.dispatch import UnitLevel

UNITS_FILE = "units.yaml"
UNIT_LEVELS: tuple[UnitLevel, ...] = ("district", "street", "community")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


@dataclass(frozen=True)
class Unit:
    """责任单位: one unit of one trade at one level, covering some jurisdictions."""

    id: str
    name: str
    trade: str
    level: UnitLevel
    covers: tuple[str, ...]

    def covering(self, area_code: str | None) -> str | None:
        """The code through which this unit covers an area (the area or one above it), if any."""
        if area_code is None:
            return None
        return next((code for code in self.covers if area_code.startswith(code)), None)


@dataclass(frozen=True)
class Units:
    """The city's unit table: trades with their names, and units by id."""

    trades: Mapping[str, str]
    by_id: Mapping[str, Unit]

    def of_trade(self, trade: str, level: UnitLevel | None = None) -> list[Unit]:
        return [u for u in self.by_id.values() if u.trade == trade and (level is None or u.level == level)]

    def get(self, unit_id: str) -> Unit | None:
        return self.by_id.get(unit_id)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CityConfigError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as why:
        raise CityConfigError(path, f"is not readable YAML: {why}") from None


def read_units(path: Path, jurisdictions: Mapping[str, Jurisdiction]) -> Units:
    """Read and check `units.yaml`; raise CityConfigError naming the first problem."""
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise CityConfigError(path, "must be a mapping with 'trades' and 'units'")
    trades = document.get("trades")
    if not isinstance(trades, dict) or not trades:
        raise CityConfigError(path, "'trades' must map each trade id to its name")
    for trade, name in trades.items():
        if not isinstance(trade, str) or not re.fullmatch(ID_PATTERN, trade) or not isinstance(name, str):
            raise CityConfigError(path, f"trade {trade!r}: an id of a-z, 0-9 and '-', with a name", "trades")
    raw_units = document.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        raise CityConfigError(path, "'units' must be a non-empty list")
    units: dict[str, Unit] = {}
    for index, raw in enumerate(raw_units):
        unit = _unit(path, index, raw, trades, jurisdictions)
        if unit.id in units:
            raise CityConfigError(path, f"duplicate unit id {unit.id}", f"units[{index}]")
        units[unit.id] = unit
    _check_single_cover(path, units.values())
    return Units(trades=dict(trades), by_id=units)


def _unit(
    path: Path, index: int, raw: Any, trades: Mapping[str, str], jurisdictions: Mapping[str, Jurisdiction]
) -> Unit:
    where = f"units[{index}]"
    if not isinstance(raw, dict):
        raise CityConfigError(path, "must be a mapping (id, name, trade, level, covers)", where)
    unit_id = raw.get("id")
    if not isinstance(unit_id, str) or not re.fullmatch(ID_PATTERN, unit_id):
        raise CityConfigError(path, f"id {unit_id!r} must be a-z, 0-9 and '-' (at most 64)", where)
    where = f"units[{index}] ({unit_id})"
    unknown = sorted(set(raw) - {"id", "name", "trade", "level", "covers"})
    if unknown:
        raise CityConfigError(path, f"unknown key {unknown[0]!r}", where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CityConfigError(path, "needs a name", where)
    trade = raw.get("trade")
    if trade not in trades:
        raise CityConfigError(path, f"unknown trade {trade!r} (known: {', '.join(sorted(trades))})", where)
    level = next((known for known in UNIT_LEVELS if known == raw.get("level")), None)
    if level is None:
        raise CityConfigError(path, f"level {raw.get('level')!r} must be one of {', '.join(UNIT_LEVELS)}", where)
    covers = raw.get("covers")
    if not isinstance(covers, list) or not covers:
        raise CityConfigError(path, "covers nothing: 'covers' must list jurisdiction codes", where)
    for code in covers:
        code = str(code)
        jurisdiction = jurisdictions.get(code)
        if jurisdiction is None:
            raise CityConfigError(path, f"covers unknown jurisdiction code {code!r}", where)
        if len(code) != CODE_DIGITS[level]:
            raise CityConfigError(
                path, f"a {level} unit covers {level} codes, not the {jurisdiction.level} {code}", where
            )
    return Unit(unit_id, name.strip(), str(trade), level, tuple(sorted({str(code) for code in covers})))


def _check_single_cover(path: Path, units: Any) -> None:
    seen: dict[tuple[str, str, str], str] = {}
    for unit in units:
        for code in unit.covers:
            other = seen.setdefault((unit.trade, unit.level, code), unit.id)
            if other != unit.id:
                raise CityConfigError(
                    path, f"{other} and {unit.id} both cover {code} as {unit.level} {unit.trade}: one owner per place"
                )
