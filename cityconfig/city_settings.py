"""城市设置: the settings in a city folder's `city.toml` that no data file carries: its time zone (时区) and
its working time (工作时间: working hours, and the days it declares working or not)."""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cityconfig.errors import CityConfigError

SETTINGS_FILE = "city.toml"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)  # ZoneInfo instances are cached and immutable: safe to share
KNOWN_KEYS = ("timezone", "working_time")
WORKING_TIME_KEYS = ("hours", "days")
DAY_KEYS = ("date", "working", "note")
DEFAULT_HOURS = ("08:30-12:00", "13:30-17:30")
MINUTES_PER_DAY = 24 * 60
_INTERVAL = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")


@dataclass(frozen=True, order=True)
class WorkingInterval:
    """工作时段: one stretch of a working day, in the city's wall-clock minutes after midnight.

    `end` may be 1440 ("24:00"), the next midnight; `start < end`, so an interval never spans midnight.
    """

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True)
class CityDay:
    """A day the city declares working (its own 调休) or not (a local holiday), over the national calendar."""

    day: date
    working: bool
    note: str = ""


def _default_hours() -> tuple[WorkingInterval, ...]:
    return tuple(_interval(Path(SETTINGS_FILE), text, "") for text in DEFAULT_HOURS)


@dataclass(frozen=True)
class WorkingTime:
    """工作时间 of `city.toml`'s `[working_time]`: the working hours of every working day, and the city's days."""

    hours: tuple[WorkingInterval, ...] = field(default_factory=_default_hours)
    days: tuple[CityDay, ...] = ()


@dataclass(frozen=True)
class CitySettings:
    """What `city.toml` says, with its defaults filled in."""

    timezone: ZoneInfo = DEFAULT_ZONE
    working_time: WorkingTime = field(default_factory=WorkingTime)


def read_city_settings(file: Path) -> CitySettings:
    """Read `city.toml`; a city without one gets the defaults (Asia/Shanghai); raise CityConfigError."""
    if not file.is_file():
        return CitySettings()
    try:
        table = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as why:
        raise CityConfigError(file, f"not readable TOML ({why})") from why
    # A misspelt key (`time_zone`) would silently fall back to the default: refuse it instead.
    _refuse_unknown(file, table, KNOWN_KEYS, "")
    return CitySettings(
        timezone=_zone(file, table.get("timezone", DEFAULT_TIMEZONE)),
        working_time=_working_time(file, table.get("working_time", {})),
    )


def _refuse_unknown(file: Path, table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise CityConfigError(file, f"unknown key {unknown[0]!r} (known: {', '.join(known)})", where)


def _zone(file: Path, name: object) -> ZoneInfo:
    if not isinstance(name, str):
        raise CityConfigError(file, f"timezone must be a string such as {DEFAULT_TIMEZONE!r}, not {name!r}")
    try:
        return ZoneInfo(name)
    # ValueError: not a zone key at all ('', '../etc/passwd', '/abs'); not found: no such zone.
    except (ZoneInfoNotFoundError, ValueError) as why:
        raise CityConfigError(file, f"unknown time zone {name!r} (an IANA name such as {DEFAULT_TIMEZONE!r})") from why


def _working_time(file: Path, table: object) -> WorkingTime:
    if not isinstance(table, dict):
        raise CityConfigError(file, f"working_time must be a table ([working_time]), not {table!r}")
    _refuse_unknown(file, table, WORKING_TIME_KEYS, "[working_time]")
    hours = _hours(file, table.get("hours", list(DEFAULT_HOURS)))
    return WorkingTime(hours=hours, days=_days(file, table.get("days", [])))


def _hours(file: Path, texts: object) -> tuple[WorkingInterval, ...]:
    where = "[working_time] hours"
    if not isinstance(texts, list) or not texts:
        raise CityConfigError(file, f"must be a non-empty list such as {list(DEFAULT_HOURS)}, not {texts!r}", where)
    intervals = sorted(_interval(file, text, where) for text in texts)
    for before, after in itertools.pairwise(intervals):
        # Touching intervals (12:00-13:00, 13:00-14:00) are fine; sharing a minute would count it twice.
        if after.start < before.end:
            raise CityConfigError(file, f"intervals {before} and {after} overlap", where)
    return tuple(intervals)


def _interval(file: Path, text: object, where: str) -> WorkingInterval:
    match = _INTERVAL.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise CityConfigError(file, f'an interval is "HH:MM-HH:MM" such as "08:30-12:00", not {text!r}', where)
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
    if start_hour > 23 or start_minute > 59 or end_minute > 59 or end > MINUTES_PER_DAY:
        raise CityConfigError(file, f"{text!r} is not a time of day (00:00 to 24:00)", where)
    if end <= start:
        raise CityConfigError(file, f"{text!r} ends before it starts (an interval cannot span midnight)", where)
    return WorkingInterval(start, end)


def _days(file: Path, rows: object) -> tuple[CityDay, ...]:
    if not isinstance(rows, list):
        problem = f"must be a list of tables ([[working_time.days]]), not {rows!r}"
        raise CityConfigError(file, problem, "[working_time] days")
    days: dict[date, CityDay] = {}
    for number, row in enumerate(rows, start=1):
        where = f"[[working_time.days]] #{number}"
        if not isinstance(row, dict):
            raise CityConfigError(file, f"must be a table with date, working and note, not {row!r}", where)
        _refuse_unknown(file, row, DAY_KEYS, where)
        day = _date(file, row.get("date"), where)
        working, note = row.get("working"), row.get("note", "")
        if not isinstance(working, bool):
            raise CityConfigError(file, f"working must be true or false, not {working!r}", where)
        if not isinstance(note, str):
            raise CityConfigError(file, f"note must be a string, not {note!r}", where)
        if day in days:
            raise CityConfigError(file, f"{day.isoformat()} is listed twice", where)
        days[day] = CityDay(day, working, note)
    return tuple(sorted(days.values(), key=lambda city_day: city_day.day))


def _date(file: Path, value: object, where: str) -> date:
    # TOML's date-time is a datetime, itself a date: a day with a time of day is a mistake, not a day.
    if isinstance(value, datetime):
        problem = f"date must be a day such as 2026-10-09, not the date-time {value.isoformat()}"
        raise CityConfigError(file, problem, where)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CityConfigError(file, f"date must be a day such as 2026-10-09, not {value!r}", where)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
