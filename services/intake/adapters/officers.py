"""定人、定岗 The officers' duty assignments as the patrol module reads them: from plain data.

`StaticOfficers` answers `OfficerDirectory` from a mapping of subjects to assignments and of
watched grids to their required patrol interval; the city's duty assignments (`city.duty`) are
turned into one when Intake starts, and tests build one from a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from cityconfig.duty import Duty
from services.intake.domain.patrol import OfficerDuty


class StaticOfficers:
    def __init__(
        self, officers: Mapping[str, OfficerDuty] | None = None, watched: Mapping[str, timedelta] | None = None
    ) -> None:
        self._officers = dict(officers or {})
        self._watched = dict(watched or {})

    def officer(self, subject: str) -> OfficerDuty | None:
        return self._officers.get(subject)

    def watched_grids(self) -> Mapping[str, timedelta]:
        return dict(self._watched)


NOBODY = StaticOfficers()
"""No assignments at all: nobody may patrol (a city without duty assignments)."""


def from_duty(duty: Duty) -> StaticOfficers:
    """The city's duty assignments (duty.yaml) as the patrol module reads them."""
    officers = {
        assignment.subject: OfficerDuty(
            assignment.subject, assignment.unit_code, assignment.brigade_code, tuple(assignment.grid_codes)
        )
        for assignment in duty.assignments
    }
    return StaticOfficers(officers, duty.watched_grids())
