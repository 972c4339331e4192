"""工作时间: when a time limit (时限) ends, in clock time or on the city's working calendar.

A working day's hours come from `city.toml` (08:30-12:00 and 13:30-17:30 by default); which days
work comes, in this order, from the city's own days (`[[working_time.days]]`), China's public
holidays and make-up working days (调休) in the `chinesecalendar` package, and, for a year the
package does not know yet, Monday to Friday. The semantics, with worked examples, are in
docs/working-time.md. Instants are aware datetimes in and UTC out; the city's zone only turns
a local day's working hours into instants.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the package ships no py.typed
import structlog

from cityconfig.city_settings import MINUTES_PER_DAY, SETTINGS_FILE, WorkingInterval, WorkingTime, read_city_settings
from schemas.dispatch import TimeLimit

Span = tuple[datetime, datetime]
"""One working interval of one day, as UTC instants [start, end)."""

NO_TIME = timedelta(0)
# A search for the next working day gives up after this many days off in a row: only a city file
# declaring more than a year of days off could get there, and it must not hang a service.
LONGEST_BREAK = timedelta(days=400)


@lru_cache(maxsize=16384)
def national_workday(day: date) -> bool | None:
    """Whether China works on `day` (调休 included); None for a year `chinesecalendar` has no data for."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package's answer for a year it has not been given yet
        return None


class WorkCalendar:
    """工作日历: the city's working calendar: working days, their working hours, and time limits on them."""

    def __init__(self, timezone: ZoneInfo, working_time: WorkingTime | None = None) -> None:
        self.timezone = timezone
        self.working_time = working_time or WorkingTime()
        self.hours: tuple[WorkingInterval, ...] = self.working_time.hours
        self.day_length = timedelta(minutes=sum(interval.minutes for interval in self.hours))
        """The working time of one working day (7.5 hours by default): one working day of a time limit."""
        self._city_days = {city_day.day: city_day.working for city_day in self.working_time.days}
        self._warned_years: set[int] = set()
        # Per instance, not per module: two cities (or two tests) may have different hours.
        self._spans = lru_cache(maxsize=8192)(self._spans_of)
        self._total = lru_cache(maxsize=8192)(self._total_of)

    def __repr__(self) -> str:
        hours = ", ".join(str(interval) for interval in self.hours)
        return f"WorkCalendar({self.timezone.key}, {hours}, {len(self._city_days)} city days)"

    # Time limits

    def due(self, start: datetime, limit: TimeLimit) -> datetime:
        """The instant (UTC) at which `limit` measured from `start` ends.

        Minutes and hours are clock time; working hours and working days count working time only,
        a working day being `day_length` of it.
        """
        start = _utc(start)
        if limit.unit == "minutes":
            return start + timedelta(minutes=limit.amount)
        if limit.unit == "hours":
            return start + timedelta(hours=limit.amount)
        if limit.unit == "working_hours":
            return self.add_working_time(start, timedelta(hours=limit.amount))
        if limit.unit == "working_days":
            return self.add_working_time(start, self.day_length * limit.amount)
        raise ValueError(f"unknown time unit {limit.unit!r}")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The first instant (UTC) by which `amount` of working time has passed since `start`.

        It ends inside a working interval or at its end (12:00, never the 13:30 after it); from an
        instant outside working time the count starts at the next working moment. Zero is `start`.
        """
        start = _utc(start)
        if amount < NO_TIME:
            raise ValueError(f"working time to add must not be negative, got {amount}")
        if amount == NO_TIME:
            return start
        day = self.local_day(start)
        left = amount - self._overlap(day, start, None)
        if left <= NO_TIME:
            return self._end_within(day, start, amount)
        # Whole days by their cached totals; only the day it ends on is walked interval by interval.
        for later in self._days_after(day):
            total = self._total(later)
            if total >= left:
                return self._end_within(later, None, left)
            left -= total
        raise AssertionError("unreachable: _days_after never ends by itself")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time in [a, b); negative when b is before a (the time overdue, read the other way)."""
        a, b = _utc(a), _utc(b)
        if b < a:
            return -self.working_time_between(b, a)
        first, last = self.local_day(a), self.local_day(b)
        if first == last:
            return self._overlap(first, a, b)
        total = self._overlap(first, a, None) + self._overlap(last, None, b)
        day = first + timedelta(days=1)
        while day < last:
            total += self._total(day)
            day += timedelta(days=1)
        return total

    # Working moments and days

    def is_working_moment(self, instant: datetime) -> bool:
        """Whether `instant` falls in working time: 08:30 is working, 12:00 and 17:30 are not."""
        instant = _utc(instant)
        return any(start <= instant < end for start, end in self._spans(self.local_day(instant)))

    def next_working_moment(self, instant: datetime) -> datetime:
        """`instant` itself (UTC) when it is working time, else the start of the next working interval."""
        instant = _utc(instant)
        day = self.local_day(instant)
        for start, end in self._spans(day):
            if instant < end:
                return max(start, instant)
        for later in self._days_after(day):
            spans = self._spans(later)
            if spans:
                return spans[0][0]
        raise AssertionError("unreachable: _days_after never ends by itself")

    def is_working_day(self, day: date) -> bool:
        """工作日: the city's own word on `day` first, then China's calendar, else Monday to Friday."""
        city_says = self._city_days.get(day)
        if city_says is not None:
            return city_says
        national = national_workday(day)
        if national is not None:
            return national
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            # A logger per warning (one a year): a module-level one would be cached at its first use
            # and keep whatever structlog configuration was in force then.
            structlog.get_logger("cityconfig.worktime").warning(
                "worktime.year_unknown",
                year=day.year,
                problem="chinesecalendar has no public holidays for this year",
                fallback="Monday to Friday work, with the city's own days; add the year's holidays to city.toml",
            )
        return day.weekday() < 5

    def end_of_next_working_day(self, instant: datetime) -> datetime:
        """The end of the first working day after `instant`'s local day (UTC): "due the next working day"."""
        for later in self._days_after(self.local_day(_utc(instant))):
            spans = self._spans(later)
            if spans:
                return spans[-1][1]
        raise AssertionError("unreachable: _days_after never ends by itself")

    def working_spans(self, day: date) -> tuple[Span, ...]:
        """The working intervals of a local day as UTC instants; none on a day off."""
        return self._spans(day)

    def local_day(self, instant: datetime) -> date:
        """The city's calendar date at `instant`."""
        return instant.astimezone(self.timezone).date()

    # Internals

    def _spans_of(self, day: date) -> tuple[Span, ...]:
        if not self.is_working_day(day):
            return ()
        return tuple((self._instant(day, interval.start), self._instant(day, interval.end)) for interval in self.hours)

    def _total_of(self, day: date) -> timedelta:
        return sum((end - start for start, end in self._spans(day)), NO_TIME)

    def _instant(self, day: date, minutes: int) -> datetime:
        # Wall-clock time in the city's zone; 24:00 is the next midnight. In a zone with summer time
        # a wall time the clocks skip or repeat takes its first reading (fold=0).
        if minutes == MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), 0
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.timezone)
        return wall.astimezone(UTC)

    def _overlap(self, day: date, after: datetime | None, before: datetime | None) -> timedelta:
        """The working time of `day` within [after, before), either end open when None."""
        total = NO_TIME
        for start, end in self._spans(day):
            low = start if after is None else max(start, after)
            high = end if before is None else min(end, before)
            if high > low:
                total += high - low
        return total

    def _end_within(self, day: date, after: datetime | None, amount: timedelta) -> datetime:
        """Where `amount` of working time from `after` (the day's start when None) ends on `day`."""
        left = amount
        for start, end in self._spans(day):
            low = start if after is None else max(start, after)
            if end <= low:
                continue
            if end - low >= left:
                return low + left
            left -= end - low
        raise AssertionError(f"{day} has less than {amount} of working time after {after}")

    def _days_after(self, day: date) -> Iterator[date]:
        """The local days after `day`, until a break longer than LONGEST_BREAK (then ValueError)."""
        since_work = timedelta(0)
        while True:
            day += timedelta(days=1)
            yield day
            since_work = timedelta(0) if self._total(day) else since_work + timedelta(days=1)
            if since_work > LONGEST_BREAK:
                raise ValueError(f"no working day in the {LONGEST_BREAK.days} days before {day}: check the city's days")


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        # A naive datetime has no instant: guessing UTC or local time is how issue 8's defect 2 happened.
        raise ValueError(f"the working calendar needs an aware datetime, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def load_calendar(folder: Path, timezone: ZoneInfo) -> WorkCalendar:
    """The calendar of a city folder: the working time in its `city.toml`, in `timezone`; CityConfigError."""
    return WorkCalendar(timezone, read_city_settings(folder / SETTINGS_FILE).working_time)
