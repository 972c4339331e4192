"""What every view over the case facts shares: the version in force (now, or `as_of`), the period, the level."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

AreaLevel = Literal["district", "street", "community", "grid"]
Level = Literal["city", "district", "street", "community", "unit"]
LEVEL_COLUMNS: dict[str, str] = {
    "city": "'city'",
    "district": "district_code",
    "street": "street_code",
    "community": "community_code",
    "grid": "grid_code",
    "unit": "unit_code",
    "h3": "h3_cell",
}


EARLIEST, LATEST = date(1990, 1, 1), date(2199, 12, 31)
"""The days a period may name: a digital city management system's history, and room for the future."""
MAX_DAYS = 366 * 20


@dataclass(frozen=True)
class Period:
    """[start, end): the city's calendar days `first` to `last`, both included, as instants."""

    first: date
    last: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("`to` is before `from`")

    def checked(self) -> Period:
        """The period, if a caller may ask for it: within the days a history has, at most MAX_DAYS long."""
        if self.first < EARLIEST or self.last > LATEST:
            raise ValueError(f"days must lie between {EARLIEST} and {LATEST}")
        if (self.last - self.first).days >= MAX_DAYS:
            raise ValueError(f"a period is at most {MAX_DAYS} days")
        return self

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    def previous(self) -> Period:
        """The period of as many days just before this one (hotspots' change)."""
        days = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=days), self.first - timedelta(days=1), self.zone)


@dataclass
class FactQuery:
    """Builds a query over `case_facts` with numbered parameters, reading the version in force at `as_of`."""

    as_of: datetime | None
    params: list[object] = field(default_factory=list)

    def param(self, value: object) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def in_force(self) -> str:
        """Now: the current versions (a partial index). As of an instant: the version recorded by then."""
        if self.as_of is None:
            return "recorded_to IS NULL"
        at = self.param(self.as_of)
        return f"recorded_from <= {at} AND (recorded_to IS NULL OR recorded_to > {at})"

    def within(self, column: str, period: Period) -> str:
        return f"{column} >= {self.param(period.start)} AND {column} < {self.param(period.end)}"
