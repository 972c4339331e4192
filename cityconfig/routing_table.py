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
from cityconfig.units import ID_PATTERN, UNIT_LEVELS, Units, read_yaml
from schemas.dispatch import StageLimits, TimeLimit, TimeUnit, UnitLevel

ROUTING_FILE = "routing.yaml"
STAGES = ("sign_for", "confirmation", "disposal", "verification")
TIME_UNITS: tuple[str, ...] = get_args(TimeUnit)
LIMIT_PATTERN = re.compile(r"^\s*(\d+)\s+([a-z_]+)\s*$")


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
    if not match or match.group(2) not in TIME_UNITS or int(match.group(1)) < 1:
        raise ValueError(f"time limit {text!r} must be '<n> <unit>', n ≥ 1, unit one of {', '.join(TIME_UNITS)}")
    return TimeLimit(amount=int(match.group(1)), unit=match.group(2))


def read_routing(path: Path, units: Units, categories: Mapping[str, Category]) -> RoutingTable:
    """Read and check `routing.yaml` against the unit table and the catalogue; raise CityConfigError."""
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise CityConfigError(path, "must be a mapping with 'defaults' and 'rules'")
    unknown = sorted(set(document) - {"defaults", "rules"})
    if unknown:
        raise CityConfigError(path, f"unknown key {unknown[0]!r} (known: defaults, rules)")
    defaults = _limits(path, "defaults", document.get("defaults") or {}, None)
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise CityConfigError(path, "'rules' must be a non-empty list")
    rules: dict[str, RoutingRule] = {}
    for index, raw in enumerate(raw_rules):
        rule = _rule(path, index, raw, units, defaults)
        if rule.id in rules:
            raise CityConfigError(path, f"duplicate rule id {rule.id}", f"rules[{index}]")
        rules[rule.id] = rule
    return RoutingTable(rules=rules, by_category=_by_category(path, rules, categories))


def _rule(path: Path, index: int, raw: Any, units: Units, defaults: Mapping[Urgency, StageLimits]) -> RoutingRule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise CityConfigError(path, "must be a mapping (id, categories, lead, level, …)", where)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(ID_PATTERN, rule_id):
        raise CityConfigError(path, f"id {rule_id!r} must be a-z, 0-9 and '-'", where)
    where = f"rules[{index}] ({rule_id})"
    known = {"id", "description", "categories", "lead", "assist", "level", "direct_to_street", "limits"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise CityConfigError(path, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})", where)
    categories = raw.get("categories")
    if not isinstance(categories, list) or not categories:
        raise CityConfigError(path, "'categories' must list category codes (5 digits) or classes (2 digits)", where)
    codes = tuple(str(code) for code in categories)
    bad = next((code for code in codes if not re.fullmatch(r"\d{2}|\d{5}", code)), None)
    if bad is not None:
        raise CityConfigError(path, f"category {bad!r} is neither a code (5 digits) nor a class (2 digits)", where)
    lead = raw.get("lead")
    assist = raw.get("assist") or []
    if not isinstance(assist, list):
        raise CityConfigError(path, "'assist' must list trades", where)
    for trade in (lead, *assist):
        if trade not in units.trades:
            raise CityConfigError(path, f"unknown trade {trade!r} (known: {', '.join(sorted(units.trades))})", where)
        if not units.of_trade(str(trade)):
            raise CityConfigError(path, f"no unit of trade {trade!r} exists, so no unit can take these cases", where)
    if lead in assist:
        raise CityConfigError(path, f"trade {lead!r} cannot both lead and assist", where)
    level = next((known_level for known_level in UNIT_LEVELS if known_level == raw.get("level")), None)
    if level is None:
        raise CityConfigError(path, f"level {raw.get('level')!r} must be one of {', '.join(UNIT_LEVELS)}", where)
    direct = raw.get("direct_to_street", False)
    if not isinstance(direct, bool):
        raise CityConfigError(path, "'direct_to_street' must be true or false", where)
    if direct and level != "street":
        raise CityConfigError(path, "a rule direct to the street (街乡镇直派) routes at level 'street'", where)
    return RoutingRule(
        id=rule_id,
        description=str(raw.get("description") or rule_id),
        categories=codes,
        lead=str(lead),
        assist=tuple(str(trade) for trade in assist),
        level=level,
        direct_to_street=direct,
        limits=_limits(path, where, raw.get("limits") or {}, defaults),
    )


def _limits(
    path: Path, where: str, raw: Any, defaults: Mapping[Urgency, StageLimits] | None
) -> Mapping[Urgency, StageLimits]:
    if not isinstance(raw, dict):
        raise CityConfigError(path, "limits must map an urgency (urgent, normal, low) to stage limits", where)
    unknown = sorted(set(raw) - set(URGENCIES))
    if unknown:
        raise CityConfigError(path, f"unknown urgency {unknown[0]!r} (known: {', '.join(URGENCIES)})", where)
    limits: dict[Urgency, StageLimits] = {}
    for urgency in URGENCIES:
        stages = raw.get(urgency) or {}
        if not isinstance(stages, dict):
            raise CityConfigError(path, f"limits for {urgency} must map stages to limits", where)
        bad_stage = sorted(set(stages) - set(STAGES))
        if bad_stage:
            raise CityConfigError(path, f"unknown stage {bad_stage[0]!r} (known: {', '.join(STAGES)})", where)
        base = defaults[urgency].model_dump() if defaults else {}
        try:
            parsed = {stage: parse_limit(value) for stage, value in stages.items()}
        except ValueError as why:
            raise CityConfigError(path, f"{urgency}: {why}", where) from None
        limits[urgency] = StageLimits.model_validate({**base, **parsed})
    return limits


def _by_category(path: Path, rules: Mapping[str, RoutingRule], categories: Mapping[str, Category]) -> dict[str, str]:
    exact: dict[str, str] = {}
    by_class: dict[str, str] = {}
    classes = {category.code[:2] for category in categories.values()}
    for rule in rules.values():
        for code in rule.categories:
            table, known = (exact, code in categories) if len(code) == 5 else (by_class, code in classes)
            if not known:
                raise CityConfigError(path, f"category {code} is not in the catalogue", f"rule {rule.id}")
            other = table.setdefault(code, rule.id)
            if other != rule.id:
                raise CityConfigError(path, f"category {code} is taken by both {other} and {rule.id}")
    chosen = {code: exact.get(code) or by_class.get(code[:2]) for code in categories}
    untaken = sorted(code for code, rule_id in chosen.items() if rule_id is None)
    if untaken:
        shown = ", ".join(f"{code} {categories[code].name}" for code in untaken[:5])
        more = f" and {len(untaken) - 5} more" if len(untaken) > 5 else ""
        raise CityConfigError(path, f"no rule takes categories {shown}{more}: no unit could be routed these cases")
    return {code: rule_id for code, rule_id in chosen.items() if rule_id is not None}
