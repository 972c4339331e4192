"""Analytics' typed context: what its routes read from, wired once in main.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import asyncpg

from cityconfig.city import City
from services.analytics.domain.patrols import Assignment

CITY_ROW = "city"
"""The code of the one row a city-level figure has."""


class DutyRoster(Protocol):
    """定人定岗: the officers fixed to grids in a month, as the city's duty assignments say (`city.duty`).

    Without one, the officers' figures take each officer's assignment from their latest patrol
    (`PatrolStarted` carries unit, brigade and grids), so an officer who never patrolled is not listed."""

    def assignments(self, first: date, last: date) -> Sequence[Assignment]: ...


@dataclass(frozen=True)
class Analytics:
    """统计分析: the pool its read models' views are queried on (it keeps no events of its own), and the city
    whose areas, units and calendar its figures are named and dated by."""

    pool: asyncpg.Pool
    city: City
    duty: DutyRoster | None = None

    def name_of(self, code: str) -> str:
        """An area's or a unit's name (the city level's row is `city`); the code itself when the city does not
        know it (an imported unit)."""
        if code == CITY_ROW:
            return "全市 city"
        area = self.city.jurisdictions.get(code)
        if area is not None:
            return area.name
        unit = self.city.units.get(code) if self.city.units is not None else None
        return unit.name if unit is not None else code
