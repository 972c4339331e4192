"""Closure's typed context: what its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

from casekit.eventstore import EventStore
from casekit.masking import masked
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

    @overload
    def masked(self, text: str) -> str: ...
    @overload
    def masked(self, text: None) -> None: ...
    def masked(self, text: str | None) -> str | None:
        """Free text as it may be published: phone, ID-card and card numbers and emails masked
        (casekit/masking.py), jurisdiction codes left alone. Notes, reasons, a call-back's words."""
        return masked(text, self.city.jurisdictions.keys())
