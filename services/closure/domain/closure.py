"""The CaseClosure aggregate: a routed case on its way to being closed (结案)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, assert_never
from uuid import UUID

from casekit.decider import Decider
from schemas.closure import ClosureOpened

ClosureEvent = ClosureOpened


@dataclass(frozen=True)
class CaseClosure:
    """结案流程: disposal, verification and call-back of one case by its responsible unit."""

    status: Literal["new", "open"] = "new"
    unit_code: str | None = None
    opened_at: datetime | None = None


@dataclass(frozen=True)
class OpenClosure:
    case_id: UUID
    unit_code: str
    at: datetime


def stream_id(case_id: UUID) -> str:
    return f"closure-{case_id}"


def decide_open(state: CaseClosure, cmd: OpenClosure) -> list[ClosureEvent]:
    if state.status != "new":
        # A re-route, reassignment or review after the first routing: the record stays open; who
        # now answers for the case is Dispatch's to say (its CaseRouted), and the Closure issue reads it.
        return []
    return [ClosureOpened(case_id=cmd.case_id, unit_code=cmd.unit_code, opened_at=cmd.at)]


def evolve(state: CaseClosure, event: ClosureEvent) -> CaseClosure:
    match event:
        case ClosureOpened():
            return replace(state, status="open", unit_code=event.unit_code, opened_at=event.opened_at)
        case _:
            assert_never(event)


DECIDER: Decider[CaseClosure, ClosureEvent] = Decider(initial=CaseClosure(), evolve=evolve, events=(ClosureOpened,))
