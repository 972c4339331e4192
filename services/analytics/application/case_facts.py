"""案件事实: every event that says something about a case becomes one input to its facts' fold."""

from __future__ import annotations

from typing import Protocol

from casekit.errors import RuleViolation
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.projection import ProjectionHandler
from schemas.base import Event
from services.analytics.domain.case_facts import FactInput
from services.analytics.domain.fact_changes import CHANGES, case_of


class FactRows(Protocol):
    """Where fact inputs go; the writer folds each touched case again (adapters/views/case_facts.py)."""

    async def add(self, entry: FactInput) -> None: ...


async def on_case_event(message: Inbound[Event], facts: FactRows) -> None:
    """One event's change to its case, ordered by when its service recorded it (`as_of` reads by that)."""
    recorded, occurred = message.recorded, message.time
    if recorded is None or occurred is None:
        raise RuleViolation(f"event {message.id} has no ce_time")
    change = CHANGES[type(message.data)](message.data, message.actor)
    await facts.add(FactInput(case_of(message.data), causation_id(message), recorded, occurred, change))


HANDLERS: dict[type[Event], ProjectionHandler[FactRows]] = {event: on_case_event for event in CHANGES}
