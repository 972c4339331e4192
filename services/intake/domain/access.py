"""Who may submit and see which reports (谁能看谁的案件): the domain's half of authorisation.

The table (schemas/access.py) says who may call an operation; this says which reports within
it: a system its own channels', a unit's staff their unit's, a grid member or dispatcher their
areas' (jurisdiction codes nest by prefix), the city-wide roles everything (or their areas, if
their token names some).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from casekit.access.principal import Principal, within
from casekit.errors import Forbidden
from schemas.access import (
    ADMIN,
    ANALYST,
    CALL_TAKER,
    CALLBACK_TEAM,
    DISPATCHER,
    GRID_MEMBER,
    OFFICER,
    SHIFT_LEAD,
    SUPERVISOR,
    UNIT_STAFF,
)
from schemas.intake import Place

CITY_WIDE = (ADMIN, SHIFT_LEAD, SUPERVISOR, ANALYST, CALL_TAKER, CALLBACK_TEAM)
"""Broadest first: a person with several roles sees what the broadest of them sees."""
AREA_BOUND = (DISPATCHER, GRID_MEMBER, OFFICER)
CHANNELS_BY_ROLE: dict[str, frozenset[str]] = {
    GRID_MEMBER: frozenset({"grid", "whistle"}),
    OFFICER: frozenset({"grid"}),
    CALL_TAKER: frozenset({"hotline", "public"}),
}
"""What a person may submit on; the dispatcher, shift lead and admin may use any channel."""


@dataclass(frozen=True)
class Scope:
    """The reports a caller may see; None on an axis means no limit there."""

    channels: frozenset[str] | None = None
    unit: str | None = None
    areas: tuple[str, ...] | None = None

    def admits(self, channel: str, unit_code: str | None, place_code: str | None) -> bool:
        if self.channels is not None and channel not in self.channels:
            return False
        if self.unit is not None and unit_code != self.unit:
            return False
        return self.areas is None or within(place_code, self.areas)


NOTHING = Scope(channels=frozenset())


def scope_of(principal: Principal) -> Scope:
    if principal.kind == "system":
        return Scope(channels=principal.channels)
    for role in CITY_WIDE:
        if principal.has(role):
            return Scope(areas=principal.areas or None)
    for role in AREA_BOUND:
        if principal.has(role):
            return Scope(areas=principal.areas)  # none named: nothing
    if principal.has(UNIT_STAFF) and principal.unit:
        return Scope(unit=principal.unit)
    return NOTHING


class Placed(Protocol):
    """Anything placed in the jurisdictions: a report's `Place`, a `ReportSummary`."""

    @property
    def district_code(self) -> str | None: ...
    @property
    def street_code(self) -> str | None: ...
    @property
    def community_code(self) -> str | None: ...
    @property
    def grid_code(self) -> str | None: ...


class Visible(Placed, Protocol):
    """A report as far as who may see it is concerned."""

    @property
    def channel(self) -> str: ...
    @property
    def unit_code(self) -> str | None: ...


def finest(place: Placed | None) -> str | None:
    """The smallest area it lies in (codes nest by prefix, so this one says all)."""
    if place is None:
        return None
    return place.grid_code or place.community_code or place.street_code or place.district_code


def check_submit(principal: Principal, channel: str, place: Place | None) -> None:
    """Refuses (403) a report its caller may not file: another channel, or outside their areas."""
    if principal.kind == "system":
        if channel not in principal.channels:
            raise Forbidden(f"system {principal.subject} may not post on the {channel} channel")
        return
    allowed = set().union(*(CHANNELS_BY_ROLE.get(role, set()) for role in principal.roles))
    if not principal.roles & {ADMIN, DISPATCHER, SHIFT_LEAD} and channel not in allowed:
        raise Forbidden(f"the role {', '.join(sorted(principal.roles))} may not report on the {channel} channel")
    areas = scope_of(principal).areas
    if areas is not None and not within(finest(place), areas):
        raise Forbidden("the report's place is outside the areas this caller works in")


def check_visible(caller: Principal, report: Visible) -> None:
    if not scope_of(caller).admits(report.channel, report.unit_code, finest(report)):
        raise Forbidden("this case is not one this caller may see")
