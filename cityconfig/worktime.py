"""工作时间: when a time limit ends, in clock time or on the city's working calendar.

Interface stub: clock units work; the working-time units come with the calendar (chinese-calendar,
working hours from `city.toml`), which replaces this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from schemas.dispatch import TimeLimit


@dataclass(frozen=True)
class WorkCalendar:
    """The city's working calendar."""

    timezone: ZoneInfo

    def due(self, start: datetime, limit: TimeLimit) -> datetime:
        """The instant (UTC) at which `limit` measured from `start` ends."""
        if limit.unit == "minutes":
            return start + timedelta(minutes=limit.amount)
        if limit.unit == "hours":
            return start + timedelta(hours=limit.amount)
        raise NotImplementedError(f"{limit.unit} needs the working calendar")


def load_calendar(folder: Path, timezone: ZoneInfo) -> WorkCalendar:
    """The calendar of a city folder."""
    return WorkCalendar(timezone)
