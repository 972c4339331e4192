"""Dispatch's typed context: what its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casekit.eventstore import EventStore
from cityconfig import City
from schemas.base import Event
from services.dispatch.application.ports import Assignments
from services.dispatch.domain.assignment_rules import Rules
from services.dispatch.domain.summons import DEFAULT_LIMIT_MINUTES


@dataclass(frozen=True)
class Dispatch:
    """派遣: the store of assignments, the city and its routing rules, the read model of cases."""

    store: EventStore
    city: City
    rules: Rules
    assignments: Assignments
    report_in_minutes: int = DEFAULT_LIMIT_MINUTES
    """报到时限: how long summoned departments have to report in, unless a dispatcher names a limit."""
    observe: Callable[[Sequence[Event]], None] = lambda events: None
    """Counts and logs what was decided (adapters/metrics.py)."""
