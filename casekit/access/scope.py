"""Which cases a caller may see (可见范围): their unit's, their areas', or the city's.

Each service says which roles see the whole city and which only their areas; the shape of the
answer, and how a case is tested against it, is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casekit.access.principal import Principal, within
from schemas.access import UNIT_STAFF


@dataclass(frozen=True)
class Scope:
    """The cases a caller may see; None on an axis means no limit there."""

    unit: str | None = None
    areas: tuple[str, ...] | None = None
    nothing: bool = False

    def admits(self, units: tuple[str, ...], area_code: str | None) -> bool:
        if self.nothing or (self.unit is not None and self.unit not in units):
            return False
        return self.areas is None or within(area_code, self.areas)


def scope_of(caller: Principal, city_wide: Iterable[str], area_bound: Iterable[str]) -> Scope:
    """City-wide roles see everything (within their areas if the token names some); area-bound roles
    only their areas (none named: nothing); a unit's staff their unit's cases; anyone else nothing."""
    if any(caller.has(role) for role in city_wide):
        return Scope(areas=caller.areas or None)
    if any(caller.has(role) for role in area_bound):
        return Scope(areas=caller.areas)
    if caller.has(UNIT_STAFF) and caller.unit:
        return Scope(unit=caller.unit)
    return Scope(nothing=True)
