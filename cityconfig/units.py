"""责任单位: the units a city routes cases to, read from `units.yaml` (trade 专业, level 层级, coverage 辖区).

A unit covers jurisdiction codes of its own level (a street squad covers street codes); it
answers for everything under them. Two units of one trade and level never cover one code, so
the unit a case goes to is never a matter of luck.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import CODE_DIGITS, Jurisdiction
from schemas.dispatch import UnitLevel

UNITS_FILE = "units.yaml"
UNIT_LEVELS: tuple[UnitLevel, ...] = ("district", "street", "community")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
UNIT_KEYS = ("id", "name", "trade", "level", "covers")
DOCUMENT_KEYS = ("trades", "units")
# Dispatch needs both files: units without rules route nothing, rules without units have no one to route to.
PAIRED = {"units.yaml": "routing.yaml", "routing.yaml": "units.yaml"}


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
    jurisdictions: Mapping[str, Jurisdiction] = field(default_factory=dict, compare=False, repr=False)
    """The jurisdictions the table was checked against (the routing table checks coverage per district)."""

    def of_trade(self, trade: str, level: UnitLevel | None = None) -> list[Unit]:
        """The units of a trade (at a level), in file order; indexed, as routing asks this per case."""
        return list(self._by_trade.get((trade, level), ()))

    def get(self, unit_id: str) -> Unit | None:
        return self.by_id.get(unit_id)

    def find(self, trade: str, level: UnitLevel, area_code: str | None) -> Unit | None:
        """The one unit of a trade at a level that covers an area (through the area or one above it), if any.

        A dictionary look-up, not a scan: the area's code cut to the level's digits is the code a unit of
        that level covers, and no two units of one trade and level cover one code.
        """
        digits = CODE_DIGITS[level]
        if area_code is None or len(area_code) < digits:
            return None
        return self._by_cover.get((trade, level, area_code[:digits]))

    def districts_of(self, trade: str) -> frozenset[str]:
        """The districts in which some unit of the trade covers some place, at any level."""
        return self._districts.get(trade, frozenset())

    @cached_property
    def _by_trade(self) -> dict[tuple[str, UnitLevel | None], list[Unit]]:
        index: dict[tuple[str, UnitLevel | None], list[Unit]] = {}
        for unit in self.by_id.values():
            index.setdefault((unit.trade, None), []).append(unit)
            index.setdefault((unit.trade, unit.level), []).append(unit)
        return index

    @cached_property
    def _by_cover(self) -> dict[tuple[str, str, str], Unit]:
        return {(u.trade, u.level, code): u for u in self.by_id.values() for code in u.covers}

    @cached_property
    def _districts(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for unit in self.by_id.values():
            found.setdefault(unit.trade, set()).update(code[: CODE_DIGITS["district"]] for code in unit.covers)
        return {trade: frozenset(codes) for trade, codes in found.items()}


class Located(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on, so a message can point at it."""

    line: int = 0


class _CityLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """yaml's safe loader (libyaml's when present: the demo's units.yaml is 1,200 lines) that keeps
    line numbers and refuses a key given twice, which plain YAML silently resolves to the last one."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterator[Located]:
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    yield mapping
    seen: set[object] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found key {key_node.value!r} twice",
                    key_node.start_mark,
                )
            seen.add(key_node.value)
    mapping.update(loader.construct_mapping(node))


_CityLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path) -> Any:
    """One YAML document of a city folder; CityConfigError when it is missing or not YAML."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_CityLoader)  # a safe loader (SafeLoader underneath)
    except FileNotFoundError:
        pair = PAIRED.get(path.name)
        hint = f": Dispatch needs it beside {pair}, which is present" if pair and (path.parent / pair).exists() else ""
        raise CityConfigError(path, f"file is missing{hint}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as why:
        raise CityConfigError(path, f"is not readable YAML: {' '.join(str(why).split())}") from None


def located(where: str, raw: Any) -> str:
    """`units[3] (st-x)` → `units[3] (st-x), line 12` when the mapping came from a file."""
    line = raw.line if isinstance(raw, Located) else 0
    return f"{where}, line {line}" if line else where


def identified(path: Path, list_name: str, index: int, raw: Any, keys: Collection[str], shape: str) -> tuple[str, str]:
    """An entry of a YAML list that must be a mapping with an `id` and only known keys: its id and where it is."""
    where = located(f"{list_name}[{index}]", raw)
    if not isinstance(raw, dict):
        raise CityConfigError(path, f"must be a mapping ({shape})", where)
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not re.fullmatch(ID_PATTERN, entry_id):
        raise CityConfigError(path, f"id {entry_id!r} must be a-z, 0-9 and '-' (at most 64)", where)
    where = located(f"{list_name}[{index}] ({entry_id})", raw)
    unknown = sorted(set(map(str, raw)) - set(keys))
    if unknown:
        raise CityConfigError(path, unknown_key(unknown[0], keys), where)
    return entry_id, where


def unknown_key(key: str, known: Collection[str]) -> str:
    """The message for a key nobody reads, with the likely typo fixed: a misspelt key is silently ignored data."""
    return f"unknown key {key!r}{did_you_mean(key, known)} (known: {', '.join(known)})"


def did_you_mean(word: object, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def read_document(path: Path, keys: Sequence[str]) -> dict[Any, Any]:
    """A YAML file that must be a mapping of only `keys` (a misspelt key would silently be ignored)."""
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise CityConfigError(path, f"must be a mapping with {' and '.join(repr(key) for key in keys)}")
    unknown = sorted(set(map(str, document)) - set(keys))
    if unknown:
        raise CityConfigError(path, unknown_key(unknown[0], keys))
    return document


def read_units(path: Path, jurisdictions: Mapping[str, Jurisdiction]) -> Units:
    """Read and check `units.yaml`; raise CityConfigError naming the first problem."""
    document = read_document(path, DOCUMENT_KEYS)
    trades = document.get("trades")
    if not isinstance(trades, dict) or not trades:
        raise CityConfigError(path, "'trades' must map each trade id to its name, e.g. 'municipal: 市政'")
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
            raise CityConfigError(path, f"duplicate unit id {unit.id}", located(f"units[{index}]", raw))
        units[unit.id] = unit
    _check_single_cover(path, raw_units, units.values(), jurisdictions)
    return Units(trades=dict(trades), by_id=units, jurisdictions=jurisdictions)


def _unit(
    path: Path, index: int, raw: Any, trades: Mapping[str, str], jurisdictions: Mapping[str, Jurisdiction]
) -> Unit:
    unit_id, where = identified(path, "units", index, raw, UNIT_KEYS, "id, name, trade, level, covers")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CityConfigError(path, "needs a name", where)
    trade = raw.get("trade")
    if trade not in trades:
        known = ", ".join(sorted(trades))
        raise CityConfigError(
            path, f"unknown trade {trade!r}{did_you_mean(trade, trades)} (known, from 'trades': {known})", where
        )
    level = next((known for known in UNIT_LEVELS if known == raw.get("level")), None)
    if level is None:
        problem = f"level {raw.get('level')!r}{did_you_mean(raw.get('level'), UNIT_LEVELS)}"
        raise CityConfigError(path, f"{problem} must be one of {', '.join(UNIT_LEVELS)}", where)
    return Unit(unit_id, name.strip(), str(trade), level, _covers(path, where, raw.get("covers"), level, jurisdictions))


def _covers(
    path: Path, where: str, covers: Any, level: UnitLevel, jurisdictions: Mapping[str, Jurisdiction]
) -> tuple[str, ...]:
    if not isinstance(covers, list) or not covers:
        raise CityConfigError(path, f"covers nothing: 'covers' must list the {level} codes the unit answers for", where)
    codes: list[str] = []
    for item in covers:
        # A bare 320302001 reads as an int; quoting is kinder but not required. Anything else is a slip.
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise CityConfigError(path, f"covers {item!r}: each entry is a jurisdiction code", where)
        code = str(item)
        jurisdiction = jurisdictions.get(code)
        if jurisdiction is None:
            raise CityConfigError(
                path, f"covers unknown jurisdiction code {code!r} (not in jurisdictions.geojson)", where
            )
        if len(code) != CODE_DIGITS[level]:
            raise CityConfigError(
                path,
                f"a {level} unit covers {level} codes ({CODE_DIGITS[level]} digits), "
                f"not the {jurisdiction.level} {code} {jurisdiction.name}",
                where,
            )
        if code in codes:
            raise CityConfigError(path, f"covers {code} twice", where)
        codes.append(code)
    return tuple(sorted(codes))


def _check_single_cover(
    path: Path, raw_units: list[Any], units: Iterable[Unit], jurisdictions: Mapping[str, Jurisdiction]
) -> None:
    seen: dict[tuple[str, str, str], str] = {}
    for index, (raw, unit) in enumerate(zip(raw_units, units, strict=True)):
        for code in unit.covers:
            other = seen.setdefault((unit.trade, unit.level, code), unit.id)
            if other != unit.id:
                raise CityConfigError(
                    path,
                    f"{other} and {unit.id} both cover {code} {jurisdictions[code].name} as {unit.level} "
                    f"{unit.trade}: one owner per place, so drop it from one of them",
                    located(f"units[{index}] ({unit.id})", raw),
                )
