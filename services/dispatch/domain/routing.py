"""派遣规则的应用: which unit leads a case and which assist, from its category and its place, and why.

The routing table (cityconfig.routing_table) says which trade leads and which assist, at which
level; the unit table (cityconfig.units) says which unit of a trade covers which places. The
unit chosen is the one of the rule's level covering the case's place; with none there, the next
coarser level's (community → street → district), and the reason says so. Pure: the same case and
tables give the same decision, which is what lets a routing preview replay history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from cityconfig.routing_table import RoutingRule, RoutingTable
from cityconfig.units import UNIT_LEVELS, Unit, Units
from schemas.dispatch import Candidate, Level, RoutingReason, StageLimits, UnitLevel, UnitRef, Urgency
from schemas.intake import Place

COARSER: dict[UnitLevel, tuple[UnitLevel, ...]] = {
    level: UNIT_LEVELS[: UNIT_LEVELS.index(level) + 1][::-1] for level in UNIT_LEVELS
}
"""From a rule's level outwards: community → street → district."""
LEVEL_NAMES: dict[UnitLevel, str] = {"district": "区", "street": "街道", "community": "社区"}


@dataclass(frozen=True)
class RouteRequest:
    """What routing depends on: the category, its urgency, the place; units that returned the case."""

    category_code: str
    urgency: Urgency
    place: Place | None
    exclude: Collection[str] = ()


@dataclass(frozen=True)
class RouteDecision:
    """主办 and 协办 units, the limits of the rule, and the reason the trace shows."""

    lead: Unit
    assisting: tuple[Unit, ...]
    reason: RoutingReason
    limits: StageLimits


@dataclass(frozen=True)
class Unroutable:
    """No unit can be chosen: the case waits for a dispatcher."""

    reason: str
    area_code: str | None


def area_of(place: Place | None) -> tuple[str | None, Level | None]:
    """The finest jurisdiction of a place, and its level."""
    if place is None:
        return None, None
    for code, level in (
        (place.grid_code, "grid"),
        (place.community_code, "community"),
        (place.street_code, "street"),
        (place.district_code, "district"),
    ):
        if code:
            return code, level  # type: ignore[return-value]
    return None, None


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(unit_code=unit.id, unit_name=unit.name, trade=unit.trade)


def choose_route(request: RouteRequest, units: Units, table: RoutingTable) -> RouteDecision | Unroutable:
    """The lead and assisting units for a case, by the city's tables."""
    rule = table.rule_for(request.category_code)
    area, area_level = area_of(request.place)
    if rule is None:
        return Unroutable(f"no routing rule takes category {request.category_code}", area)
    if area is None:
        return Unroutable("the case has no place in the city's jurisdictions, so no unit covers it", area)
    lead, candidates, fallback = _unit_for(rule.lead, rule.level, area, units, request.exclude)
    if lead is None:
        why = f"no unit of trade {rule.lead} covers {area}"
        if any(c.why.startswith("returned") for c in candidates):
            why += " that has not already returned the case"
        return Unroutable(why, area)
    assisting: list[Unit] = []
    for trade in rule.assist:
        unit, considered, _ = _unit_for(trade, rule.level, area, units, ())
        candidates.extend(considered)
        if unit is not None:
            assisting.append(unit)
    reason = RoutingReason(
        rule_id=rule.id,
        rule=describe(rule),
        category_code=request.category_code,
        urgency=request.urgency,
        area_code=area,
        area_level=area_level,
        lead_trade=rule.lead,
        assisting_trades=list(rule.assist),
        level=rule.level,
        direct_to_street=rule.direct_to_street,
        candidates=candidates,
        fallback=fallback,
        excluded=sorted(request.exclude),
    )
    return RouteDecision(lead, tuple(assisting), reason, rule.limits[request.urgency])


def _unit_for(
    trade: str, level: UnitLevel, area: str, units: Units, exclude: Collection[str]
) -> tuple[Unit | None, list[Candidate], str | None]:
    """The unit of `trade` covering `area`, at `level` or the nearest coarser level that has one."""
    candidates: list[Candidate] = []
    chosen: Unit | None = None
    fallback = None
    for tried in COARSER[level]:
        # At most one unit of a trade and level covers a place (units.yaml is checked for it).
        unit = units.find(trade, tried, area)
        if unit is None:
            continue
        code = unit.covering(area)
        if chosen is not None:
            candidates.append(_candidate(unit, tried, code, False, f"covers {code} too; {chosen.id} is nearer"))
        elif unit.id in exclude:
            candidates.append(_candidate(unit, tried, code, False, "returned the case before"))
        else:
            why = f"covers {code} at the {tried} level" + ("" if tried == level else f" (no {level} unit can)")
            if tried != level:
                fallback = f"no {trade} unit at the {level} level can take {area}; the {tried} level's does"
            candidates.append(_candidate(unit, tried, code, True, why))
            chosen = unit
    return chosen, candidates, fallback


def _candidate(unit: Unit, level: UnitLevel, code: str | None, chosen: bool, why: str) -> Candidate:
    return Candidate(unit_code=unit.id, unit_name=unit.name, trade=unit.trade, level=level, covers=code,
                     chosen=chosen, why=why)  # fmt: skip


def describe(rule: RoutingRule) -> str:
    """The rule in words, for the trace."""
    assist = f", assisted by {', '.join(rule.assist)}" if rule.assist else ""
    direct = " (街乡镇直派: straight to the street)" if rule.direct_to_street else ""
    return (
        f"{rule.description}: categories {', '.join(rule.categories)} → {rule.lead} at the "
        f"{rule.level} ({LEVEL_NAMES[rule.level]}) level{assist}{direct}"
    )


OWN_POWERS_RULE = "own-powers"
"""权限内自行处理: the rule id of a case the reporting officer's unit owns by its own powers."""


def own_powers_route(request: RouteRequest, unit: Unit, limits: StageLimits) -> RouteDecision:
    """A finding an officer handles under their own powers: their unit leads, alone, without the routing table."""
    area, area_level = area_of(request.place)
    chosen = Candidate(
        unit_code=unit.id, unit_name=unit.name, trade=unit.trade, level=unit.level, covers=unit.covering(area),
        chosen=True, why="the reporting officer's unit (权限内自行处理)",
    )  # fmt: skip
    reason = RoutingReason(
        rule_id=OWN_POWERS_RULE,
        rule="权限内自行处理: the officer who found it acts under their own powers; their unit owns the case",
        category_code=request.category_code,
        urgency=request.urgency,
        area_code=area,
        area_level=area_level,
        lead_trade=unit.trade,
        level=unit.level,
        candidates=[chosen],
    )
    return RouteDecision(unit, (), reason, limits)
