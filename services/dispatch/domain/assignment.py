"""The Assignment aggregate: one case and the unit it is routed to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, assert_never
from uuid import UUID

from casekit.decider import Decider
from casekit.errors import RuleViolation
from schemas.dispatch import CaseRouted
from services.dispatch.domain.routing import RULE, responsible_unit

AssignmentEvent = CaseRouted


@dataclass(frozen=True)
class Assignment:
    """派遣: one case routed to one responsible unit (责任单位)."""

    status: Literal["new", "routed"] = "new"
    unit_code: str | None = None


@dataclass(frozen=True)
class RouteCase:
    case_id: UUID
    category_code: str
    at: datetime


def stream_id(case_id: UUID) -> str:
    return f"assignment-{case_id}"


def decide_route(state: Assignment, cmd: RouteCase) -> list[AssignmentEvent]:
    if state.status != "new":
        raise RuleViolation(f"case {cmd.case_id} is already routed to {state.unit_code}")
    unit = responsible_unit(cmd.category_code)
    return [
        CaseRouted(
            case_id=cmd.case_id,
            unit_code=unit.code,
            unit_name=unit.name,
            category_code=cmd.category_code,
            rule=RULE,
            routed_at=cmd.at,
        )
    ]


def evolve(state: Assignment, event: AssignmentEvent) -> Assignment:
    match event:
        case CaseRouted():
            return replace(state, status="routed", unit_code=event.unit_code)
        case _:
            assert_never(event)


DECIDER: Decider[Assignment, AssignmentEvent] = Decider(initial=Assignment(), evolve=evolve, events=(CaseRouted,))
