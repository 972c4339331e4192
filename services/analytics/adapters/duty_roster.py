"""定人定岗 The officers' figures' roster from the city's duty assignments (duty.yaml).

The file names who is fixed where today, not since when: every month is assessed against it, so an
officer who never patrolled is listed with nothing found and no coverage. Grid members (网格员) are
not officers and have no row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cityconfig.duty import Duty
from services.analytics.application.context import DutyRoster
from services.analytics.domain.patrols import Assignment


class CityDutyRoster:
    def __init__(self, duty: Duty) -> None:
        self._officers = tuple(
            Assignment(item.subject, item.unit_code, item.brigade_code, frozenset(item.grid_codes), item.name)
            for item in duty.assignments
            if item.role == "officer"
        )

    def assignments(self, first: date, last: date) -> Sequence[Assignment]:
        return self._officers


def roster_of(duty: Duty) -> DutyRoster | None:
    """None for a city without officers' assignments: the figures then follow the patrols."""
    return CityDutyRoster(duty) if any(item.role == "officer" for item in duty.assignments) else None
