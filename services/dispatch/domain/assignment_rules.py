"""What the Assignment's decisions consult: the city's tables and calendar, turned into routing events."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from casekit.errors import RuleViolation
from cityconfig.routing_table import RoutingTable
from cityconfig.units import Units
from cityconfig.worktime import WorkCalendar
from schemas.dispatch import (
    AssignmentOpened,
    CaseRouted,
    CaseUnroutable,
    RouteKind,
    StageLimits,
    TimeLimit,
    Urgency,
)
from services.dispatch.domain.routing import (
    RouteDecision,
    RouteRequest,
    area_of,
    choose_route,
    own_powers_route,
    unit_ref,
)

if TYPE_CHECKING:
    from services.dispatch.domain.assignment import Act, Assignment

RETURNS_BEFORE_REVIEW = 2
"""The second return sends a case to review (争议审核)."""
DEFAULT_CONFIRMATION = TimeLimit(amount=30, unit="minutes")
"""核实 when the routing table names no confirmation limit: a vendor system's default (DOMAIN.md)."""


@dataclass(frozen=True)
class Rules:
    """The city's unit table, routing table and working calendar."""

    units: Units
    routing: RoutingTable
    calendar: WorkCalendar

    def limits(self, category_code: str, urgency: Urgency) -> StageLimits:
        rule = self.routing.rule_for(category_code)
        return rule.limits[urgency] if rule else StageLimits()

    def confirmation_limit(self, category_code: str, urgency: Urgency) -> TimeLimit:
        return self.limits(category_code, urgency).confirmation or DEFAULT_CONFIRMATION

    def route(
        self,
        opened: AssignmentOpened,
        at: datetime,
        kind: RouteKind,
        *,
        exclude: Collection[str] = (),
        by: str | None = None,
        note: str | None = None,
    ) -> CaseRouted | CaseUnroutable:
        """Route by the rules, or say why no unit fits."""
        request = RouteRequest(opened.category_code, opened.urgency, opened.place, exclude)
        decision = choose_route(request, self.units, self.routing)
        if not isinstance(decision, RouteDecision):
            return CaseUnroutable(case_id=opened.case_id, reason=decision.reason, category_code=opened.category_code,
                                  area_code=decision.area_code, flagged_at=at)  # fmt: skip
        return self._routed(opened, decision, at, kind, routed_by=by, note=note)

    def route_own_powers(self, opened: AssignmentOpened, unit_id: str, at: datetime) -> CaseRouted | CaseUnroutable:
        """权限内自行处理: straight to the reporting officer's unit, with the category's time limits."""
        unit = self.units.get(unit_id)
        if unit is None:
            why = f"the officer's unit {unit_id!r} is not in the unit table"
            return CaseUnroutable(
                case_id=opened.case_id, reason=why, category_code=opened.category_code,
                area_code=area_of(opened.place)[0], flagged_at=at,
            )  # fmt: skip
        request = RouteRequest(opened.category_code, opened.urgency, opened.place)
        decision = own_powers_route(request, unit, self.limits(opened.category_code, opened.urgency))
        return self._routed(opened, decision, at, "routing")

    def _routed(
        self, opened: AssignmentOpened, decision: RouteDecision, at: datetime, kind: RouteKind, **extra: object
    ) -> CaseRouted:
        limits = decision.limits
        return CaseRouted(
            case_id=opened.case_id,
            unit_code=decision.lead.id,
            unit_name=decision.lead.name,
            trade=decision.lead.trade,
            category_code=opened.category_code,
            rule=decision.reason.rule_id,
            routed_at=at,
            kind=kind,
            assisting=[unit_ref(unit) for unit in decision.assisting],
            reason=decision.reason,
            limits=limits,
            urgency=opened.urgency,
            sign_for_due_at=self.calendar.due(at, limits.sign_for) if limits.sign_for else None,
            reply_due_at=opened.reply_due_at,
            **extra,
        )


def routed_to(
    rules: Rules, opened: AssignmentOpened, unit_id: str, cmd: Act, kind: RouteKind, *, owner_final: bool = False
) -> CaseRouted:
    """A dispatcher's decision: the named unit leads; the rule's assisting units and limits still apply."""
    unit = rules.units.get(unit_id)
    if unit is None:
        raise RuleViolation(f"no unit {unit_id!r} in the city's unit table")
    by_rules = rules.route(opened, cmd.at, kind)
    if isinstance(by_rules, CaseRouted) and by_rules.reason is not None:
        reason = by_rules.reason.model_copy(update={"fallback": None, "excluded": []})
        assisting = [ref for ref in by_rules.assisting if ref.unit_code != unit_id]
        limits = by_rules.limits or StageLimits()
    else:
        reason, assisting, limits = None, [], rules.limits(opened.category_code, opened.urgency)
    why = f"named by {cmd.by}" + (f": {cmd.note}" if cmd.note else "")
    return CaseRouted(
        case_id=opened.case_id, unit_code=unit.id, unit_name=unit.name, trade=unit.trade,
        category_code=opened.category_code, rule=f"dispatcher:{kind}", routed_at=cmd.at, kind=kind,
        assisting=assisting, reason=reason, limits=limits, urgency=opened.urgency,
        sign_for_due_at=rules.calendar.due(cmd.at, limits.sign_for) if limits.sign_for else None,
        owner_final=owner_final, routed_by=cmd.by, note=why, reply_due_at=opened.reply_due_at,
    )  # fmt: skip


def routed(state: Assignment, event: CaseRouted) -> Assignment:
    """A new lead: earlier signatures and open requests (a work order's return request too) belong to the
    previous owner."""
    return replace(
        state,
        status="routed",
        lead=event.unit_code,
        lead_name=event.unit_name,
        assisting=tuple(ref.unit_code for ref in event.assisting),
        signed=frozenset(),
        sign_for_due_at=event.sign_for_due_at,
        owner_final=state.owner_final or event.owner_final,
        pending_extension=None,
        pending_park=None,
        pending_return=None,
    )
