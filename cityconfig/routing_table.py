"""派遣规则: which trade handles which categories, at which level, within which time limits (`routing.yaml`).

A rule names categories by code (`01001`) or by class (`01`, every code of the class); a code's
own rule wins over its class's. Limits are per urgency, each stage an amount and a unit
(`30 minutes`, `2 hours`, `4 working_hours`, `15 working_days`); a rule's limits override the
table's defaults stage by stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from cityconfig.catalogue import URGENCIES, Category, Urgency
from cityconfig.errors import CityConfigError
from cityconfig.units import UNIT_LEVELS, Units, did_you_mean, identified, located, read_document, unknown_key
from schemas.dispatch import StageLimits, TimeLimit, TimeUnit, UnitLevel

ROUTING_FILE = "routing.yaml"
STAGES = ("sign_for", "confirmation", "disposal", "verification")
TIME_UNITS: tuple[str, ...] = get_args(TimeUnit)
LIMIT_PATTERN = re.compile(r"^\s*(\d+)\s+([a-z_]+)\s*$")
DOCUMENT_KEYS = ("defaults", "rules")
RULE_KEYS = ("id", "description", "categories", "lead", "assist", "level", "direct_to_street", "limits")


@dataclass(frozen=True)
class RoutingRule:
    """One row of the routing table."""

    id: str
    description: str
    categories: tuple[str, ...]
    """Codes (5 digits) or classes (2 digits)."""
    lead: str
    assist: tuple[str, ...]
    level: UnitLevel
    direct_to_street: bool
    limits: Mapping[Urgency, StageLimits]


@dataclass(frozen=True)
class RoutingTable:
    """The city's routing table, with every category resolved to its rule."""

    rules: Mapping[str, RoutingRule]
    by_category: Mapping[str, str] = field(default_factory=dict)
    """Category code → rule id, for every category of the catalogue some rule takes."""

    def rule_for(self, category_code: str) -> RoutingRule | None:
        rule_id = self.by_category.get(category_code)
        return self.rules[rule_id] if rule_id else None


def parse_limit(text: Any) -> TimeLimit:
    """`"4 working_hours"` → TimeLimit(4, "working_hours"); ValueError with the reason otherwise."""
    match = LIMIT_PATTERN.match(str(text))
    if match and match.group(2) not in TIME_UNITS:
        hint = did_you_mean(match.group(2), TIME_UNITS)
        raise ValueError(f"time limit {text!r}: unknown unit {match.group(2)!r}{hint} (known: {', '.join(TIME_UNITS)})")
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"time limit {text!r} must be '<n> <unit>', n ≥ 1, unit one of {', '.join(TIME_UNITS)}")
    return TimeLimit(amount=int(match.group(1)), unit=match.group(2))


def read_routing(path: Path, units: Units, categories: Mapping[str, Category]) -> RoutingTable:
    """Read and check `routing.yaml` against the unit table and the catalogue; raise CityConfigError."""
    document = read_document(path, DOCUMENT_KEYS)
    defaults = _limits(path, located("defaults", document.get("defaults")), document.get("defaults") or {}, None)
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise CityConfigError(path, "'rules' must be a non-empty list")
    rules: dict[str, RoutingRule] = {}
    places: dict[str, str] = {}
    for index, raw in enumerate(raw_rules):
        rule = _rule(path, index, raw, units, defaults)
        if rule.id in rules:
            raise CityConfigError(path, f"duplicate rule id {rule.id}", located(f"rules[{index}]", raw))
        rules[rule.id] = rule
        places[rule.id] = located(f"rules[{index}] ({rule.id})", raw)
    by_category = _by_category(path, rules, places, categories)
    _check_districts(path, rules, places, by_category, units, categories)
    return RoutingTable(rules=rules, by_category=by_category)


def _rule(path: Path, index: int, raw: Any, units: Units, defaults: Mapping[Urgency, StageLimits]) -> RoutingRule:
    rule_id, where = identified(path, "rules", index, raw, RULE_KEYS, "id, categories, lead, level, …")
    lead = raw.get("lead")
    if lead is None:
        raise CityConfigError(path, "needs a 'lead' trade (主办), the trade that owns these cases", where)
    assist = raw.get("assist") or []
    if not isinstance(assist, list):
        raise CityConfigError(path, "'assist' must list trades (协办), e.g. [enforcement]", where)
    for trade in (lead, *assist):
        _check_trade(path, where, trade, units)
    if lead in assist:
        raise CityConfigError(path, f"trade {lead!r} cannot both lead and assist", where)
    if len(set(map(str, assist))) != len(assist):
        raise CityConfigError(path, f"'assist' names a trade twice: {assist}", where)
    level = next((known_level for known_level in UNIT_LEVELS if known_level == raw.get("level")), None)
    if level is None:
        problem = f"level {raw.get('level')!r}{did_you_mean(raw.get('level'), UNIT_LEVELS)}"
        raise CityConfigError(path, f"{problem} must be one of {', '.join(UNIT_LEVELS)}", where)
    direct = raw.get("direct_to_street", False)
    if not isinstance(direct, bool):
        raise CityConfigError(path, "'direct_to_street' must be true or false", where)
    if direct and level != "street":
        raise CityConfigError(
            path, f"a rule direct to the street (街乡镇直派) routes at level 'street', not {level!r}", where
        )
    return RoutingRule(
        id=rule_id,
        description=str(raw.get("description") or rule_id),
        categories=_categories(path, where, raw.get("categories")),
        lead=str(lead),
        assist=tuple(str(trade) for trade in assist),
        level=level,
        direct_to_street=direct,
        limits=_limits(path, f"{where}: limits", raw.get("limits") or {}, defaults),
    )


def _categories(path: Path, where: str, categories: Any) -> tuple[str, ...]:
    if not isinstance(categories, list) or not categories:
        raise CityConfigError(path, "'categories' must list category codes (5 digits) or classes (2 digits)", where)
    for code in categories:
        if isinstance(code, int) and not isinstance(code, bool):
            # YAML reads 01 as 1 and 01001 as 1001: the leading zero is lost before we see it.
            raise CityConfigError(path, f"category {code} is a number: quote codes, e.g. '01' or '01001'", where)
        if not isinstance(code, str) or not re.fullmatch(r"\d{2}|\d{5}", code):
            raise CityConfigError(path, f"category {code!r} is neither a code (5 digits) nor a class (2 digits)", where)
    if len(set(categories)) != len(categories):
        raise CityConfigError(path, "'categories' names a code twice", where)
    return tuple(categories)


def _check_trade(path: Path, where: str, trade: Any, units: Units) -> None:
    if trade not in units.trades:
        known = ", ".join(sorted(units.trades))
        hint = did_you_mean(trade, units.trades)
        raise CityConfigError(path, f"unknown trade {trade!r}{hint} (known, from units.yaml: {known})", where)
    if not units.of_trade(str(trade)):
        raise CityConfigError(
            path, f"no unit of trade {trade!r} exists in units.yaml, so no unit can take these cases", where
        )


def _limits(
    path: Path, where: str, raw: Any, defaults: Mapping[Urgency, StageLimits] | None
) -> Mapping[Urgency, StageLimits]:
    if not isinstance(raw, dict):
        raise CityConfigError(path, "limits must map an urgency (urgent, normal, low) to stage limits", where)
    unknown = sorted(set(map(str, raw)) - set(URGENCIES))
    if unknown:
        raise CityConfigError(path, f"unknown urgency {unknown[0]!r}{did_you_mean(unknown[0], URGENCIES)}", where)
    limits: dict[Urgency, StageLimits] = {}
    for urgency in URGENCIES:
        stages = raw.get(urgency) or {}
        if not isinstance(stages, dict):
            raise CityConfigError(path, f"limits for {urgency} must map stages ({', '.join(STAGES)}) to limits", where)
        bad_stage = sorted(set(map(str, stages)) - set(STAGES))
        if bad_stage:
            raise CityConfigError(path, f"{urgency}: {unknown_key(bad_stage[0], STAGES)}", where)
        base = defaults[urgency].model_dump() if defaults else {}
        parsed: dict[str, TimeLimit] = {}
        for stage, value in stages.items():
            try:
                parsed[stage] = parse_limit(value)
            except ValueError as why:
                raise CityConfigError(path, f"{urgency}.{stage}: {why}", where) from None
        limits[urgency] = StageLimits.model_validate({**base, **parsed})
    return limits


def _by_category(
    path: Path, rules: Mapping[str, RoutingRule], places: Mapping[str, str], categories: Mapping[str, Category]
) -> dict[str, str]:
    exact: dict[str, str] = {}
    by_class: dict[str, str] = {}
    classes = {category.code[:2]: category.major_name for category in categories.values()}
    for rule in rules.values():
        for code in rule.categories:
            table, known = (exact, code in categories) if len(code) == 5 else (by_class, code in classes)
            if not known:
                kind = "code" if len(code) == 5 else "class"
                raise CityConfigError(path, f"category {kind} {code} is not in categories.tsv", places[rule.id])
            other = table.setdefault(code, rule.id)
            if other != rule.id:
                label = (
                    f"category {code} {categories[code].name}"
                    if code in categories
                    else f"class {code} {classes[code]}"
                )
                raise CityConfigError(
                    path, f"{label} is taken by both {other} and {rule.id}: one rule per code or class", places[rule.id]
                )
    chosen = {code: exact.get(code) or by_class.get(code[:2]) for code in categories}
    untaken = sorted(code for code, rule_id in chosen.items() if rule_id is None)
    if untaken:
        raise CityConfigError(
            path, f"no rule takes categories {_shown(untaken, categories)}: no unit could be routed these cases"
        )
    taking = set(chosen.values())
    idle = next((rule_id for rule_id in rules if rule_id not in taking), None)
    if idle is not None:
        raise CityConfigError(
            path,
            "takes no category: each of its codes has a rule of its own (a code's rule beats its class's)",
            places[idle],
        )
    return {code: rule_id for code, rule_id in chosen.items() if rule_id is not None}


def _check_districts(
    path: Path,
    rules: Mapping[str, RoutingRule],
    places: Mapping[str, str],
    by_category: Mapping[str, str],
    units: Units,
    categories: Mapping[str, Category],
) -> None:
    """Every district has a unit of each rule's lead trade somewhere in it, or its cases of the rule have no owner."""
    districts = {code: j.name for code, j in units.jurisdictions.items() if j.level == "district"}
    for rule in rules.values():
        missing = sorted(set(districts) - units.districts_of(rule.lead))
        if missing:
            taken = sorted(code for code, rule_id in by_category.items() if rule_id == rule.id)
            named = ", ".join(f"{code} {districts[code]}" for code in missing)
            plural = "s" if len(missing) > 1 else ""
            raise CityConfigError(
                path,
                f"no unit of the lead trade {rule.lead!r} ({units.trades[rule.lead]}) covers any place of "
                f"district{plural} {named}, so cases there of {_shown(taken, categories)} would have no owner: "
                f"add to units.yaml a {rule.lead} unit covering each such district, a street or a community of it",
                places[rule.id],
            )


def _shown(codes: list[str], categories: Mapping[str, Category], most: int = 5) -> str:
    shown = ", ".join(f"{code} {categories[code].name}" for code in codes[:most])
    return f"{shown} and {len(codes) - most} more" if len(codes) > most else shown
