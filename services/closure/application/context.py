"""Closure's typed context: what its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casekit.eventstore import EventStore
from cityconfig import City
from schemas.base import Event
from services.closure.application.ports import CaseNumbers, Cases
from services.closure.domain.deadlines import ClosureRules


@dataclass(frozen=True)
class Closure:
    """结案: the store of closure records, the city and its working calendar, the read model of cases, case numbers."""

    store: EventStore
    city: City
    rules: ClosureRules
    cases: Cases
    numbers: CaseNumbers
    observe: Callable[[Sequence[Event]], None] = lambda events: None
    """Counts and logs what was decided (adapters/metrics.py)."""
