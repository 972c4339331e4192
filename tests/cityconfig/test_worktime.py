"""工作时间: time limits on the city's working calendar (docs/working-time.md), on real chinesecalendar data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from cityconfig import DEFAULT_CITY, CityConfigError, load_city
from cityconfig.city_settings import CityDay, WorkingTime
from cityconfig.worktime import WorkCalendar, load_calendar
from schemas.dispatch import TimeLimit, TimeUnit
from tests.cityconfig.small_city import small_city_features, write_city

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = WorkCalendar(SHANGHAI)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, zone: ZoneInfo = SHANGHAI
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def due(start: datetime, amount: int, unit: TimeUnit, calendar: WorkCalendar = CALENDAR) -> datetime:
    return calendar.due(start, TimeLimit(amount=amount, unit=unit))


def city_calendar(tmp_path: Path, settings_text: str) -> WorkCalendar:
    folder = write_city(tmp_path / "city", small_city_features(), settings=settings_text)
    return load_city(folder).calendar


def test_two_working_days_from_a_tuesday_at_16_end_on_thursday_at_16() -> None:
    start = local(2026, 11, 10, 16)  # a Tuesday

    ends = due(start, 2, "working_days")

    assert ends == local(2026, 11, 12, 16)
    assert ends.tzinfo is UTC
    assert ends == datetime(2026, 11, 12, 8, tzinfo=UTC)
    assert CALENDAR.working_time_between(start, ends) == timedelta(hours=15)


def test_friday_afternoon_runs_on_into_monday() -> None:
    friday = local(2026, 11, 13, 16)

    assert due(friday, 4, "working_hours") == local(2026, 11, 16, 11)  # 1.5 h on Friday, 2.5 h on Monday
    assert due(friday, 1, "working_days") == local(2026, 11, 16, 16)
    assert CALENDAR.working_time_between(local(2026, 11, 13, 17, 30), local(2026, 11, 16, 8, 30)) == timedelta(0)


def test_national_day_2026_is_skipped_and_its_make_up_saturday_works() -> None:
    eve = local(2026, 9, 30, 16)  # Wednesday; 1 to 7 October are holidays, Saturday 10 October works

    assert due(eve, 1, "working_days") == local(2026, 10, 8, 16)
    assert due(eve, 2, "working_days") == local(2026, 10, 9, 16)
    assert due(eve, 3, "working_days") == local(2026, 10, 10, 16)
    assert CALENDAR.is_working_day(date(2026, 10, 10))
    assert not CALENDAR.is_working_day(date(2026, 10, 5))
    assert CALENDAR.is_working_day(date(2026, 9, 20))  # the Sunday before, also a 调休 working day


def test_national_day_2025_with_its_make_up_sunday_and_saturday() -> None:
    # 2025: Sunday 28 September and Saturday 11 October worked; 1 to 8 October were holidays.
    assert due(local(2025, 9, 26, 16), 1, "working_days") == local(2025, 9, 28, 16)
    assert due(local(2025, 9, 30, 16), 1, "working_days") == local(2025, 10, 9, 16)
    assert due(local(2025, 10, 10, 16), 1, "working_days") == local(2025, 10, 11, 16)


def test_spring_festival_2026() -> None:
    # Saturday 14 February works, 15 to 23 February are the holiday.
    friday = local(2026, 2, 13, 16)

    assert due(friday, 1, "working_days") == local(2026, 2, 14, 16)
    assert due(friday, 2, "working_days") == local(2026, 2, 24, 16)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2026, 11, 10, 12, 30), local(2026, 11, 10, 14, 30)),  # lunch break: counts from 13:30
        (local(2026, 11, 10, 7), local(2026, 11, 10, 9, 30)),  # before opening: counts from 08:30
        (local(2026, 11, 10, 18), local(2026, 11, 11, 9, 30)),  # after close: counts from tomorrow 08:30
        (local(2026, 11, 10, 17, 30), local(2026, 11, 11, 9, 30)),  # 17:30 itself is closed
        (local(2026, 11, 10, 11), local(2026, 11, 10, 12)),  # ends at 12:00, not at 13:30
        (local(2026, 11, 10, 11, 30), local(2026, 11, 10, 14)),  # half an hour, lunch, half an hour
        (local(2026, 11, 14, 10), local(2026, 11, 16, 9, 30)),  # a Saturday: counts from Monday
    ],
    ids=["lunch", "before opening", "after close", "at close", "to noon", "across lunch", "saturday"],
)
def test_an_hour_outside_working_time_counts_from_the_next_working_moment(start: datetime, expected: datetime) -> None:
    assert due(start, 1, "working_hours") == expected


def test_minutes_and_hours_are_plain_clock_time() -> None:
    saturday_night = local(2026, 11, 14, 23, 50)

    assert due(saturday_night, 30, "minutes") == local(2026, 11, 15, 0, 20)
    assert due(local(2026, 11, 10, 11), 2, "hours") == local(2026, 11, 10, 13)  # lunch counts
    assert due(local(2026, 10, 1, 9), 48, "hours") == local(2026, 10, 3, 9)  # so do holidays


def test_working_moments() -> None:
    assert CALENDAR.is_working_moment(local(2026, 11, 10, 8, 30))
    assert not CALENDAR.is_working_moment(local(2026, 11, 10, 12))
    assert CALENDAR.is_working_moment(local(2026, 11, 10, 17, 29, 59))
    assert not CALENDAR.is_working_moment(local(2026, 11, 10, 17, 30))
    assert not CALENDAR.is_working_moment(local(2026, 10, 2, 10))  # National Day
    assert CALENDAR.next_working_moment(local(2026, 11, 10, 10)) == local(2026, 11, 10, 10)
    assert CALENDAR.next_working_moment(local(2026, 11, 10, 12, 15)) == local(2026, 11, 10, 13, 30)
    assert CALENDAR.next_working_moment(local(2026, 9, 30, 18)) == local(2026, 10, 8, 8, 30)


def test_working_time_between_is_negative_backwards_and_counts_only_working_time() -> None:
    assert CALENDAR.working_time_between(local(2026, 11, 10, 9), local(2026, 11, 10, 15)) == timedelta(hours=4.5)
    week = CALENDAR.working_time_between(local(2026, 11, 9, 0), local(2026, 11, 16, 0))
    assert week == timedelta(hours=5 * 7.5)
    assert CALENDAR.working_time_between(local(2026, 11, 10, 15), local(2026, 11, 10, 9)) == -timedelta(hours=4.5)


def test_any_zone_in_and_utc_out() -> None:
    in_utc = datetime(2026, 11, 10, 8, tzinfo=UTC)  # 16:00 in Shanghai

    assert due(in_utc, 2, "working_days") == due(local(2026, 11, 10, 16), 2, "working_days")
    assert due(in_utc, 5, "minutes").tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        due(datetime(2026, 11, 10, 16), 1, "working_hours")  # naive on purpose


def test_a_city_with_summer_time_works_on_its_own_wall_clock() -> None:
    berlin = WorkCalendar(BERLIN)
    friday = local(2026, 3, 27, 16, zone=BERLIN)  # CET; the clocks go forward on Sunday 29 March

    monday = due(friday, 4, "working_hours", berlin)

    assert monday == local(2026, 3, 30, 11, zone=BERLIN) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert berlin.working_time_between(friday, monday) == timedelta(hours=4)
    # Clock hours are elapsed time: 24 hours across the change end at 13:00 on the new clock.
    assert due(local(2026, 3, 28, 12, zone=BERLIN), 24, "hours", berlin) == local(2026, 3, 29, 13, zone=BERLIN)


CITY_DAYS = """
[working_time]
hours = ["09:00-12:00", "14:00-18:00"]

[[working_time.days]]
date = 2026-11-11
working = false
note = "城市运动会"

[[working_time.days]]
date = "2026-11-14"
working = true
"""


def test_a_city_sets_its_hours_and_overrides_days(tmp_path: Path) -> None:
    calendar = city_calendar(tmp_path, CITY_DAYS)

    assert calendar.day_length == timedelta(hours=7)
    assert due(local(2026, 11, 10, 17, 30), 1, "working_hours", calendar) == local(2026, 11, 12, 9, 30)  # Wed off
    assert due(local(2026, 11, 13, 17), 2, "working_hours", calendar) == local(2026, 11, 14, 10)  # Sat works
    assert not calendar.is_working_day(date(2026, 11, 11))
    assert calendar.is_working_day(date(2026, 11, 14))
    assert load_calendar(tmp_path / "city", SHANGHAI).working_time == calendar.working_time


def test_a_whole_day_of_hours(tmp_path: Path) -> None:
    calendar = city_calendar(tmp_path, '[working_time]\nhours = ["00:00-24:00"]\n')

    assert due(local(2026, 11, 13, 10), 1, "working_days", calendar) == local(2026, 11, 16, 10)
    assert calendar.next_working_moment(local(2026, 11, 14, 10)) == local(2026, 11, 16, 0)


def test_a_year_chinesecalendar_does_not_know_falls_back_to_weekdays_with_one_warning(tmp_path: Path) -> None:
    calendar = city_calendar(tmp_path, "[[working_time.days]]\ndate = 2031-01-01\nworking = false\n")

    with structlog.testing.capture_logs() as logs:
        first = due(local(2031, 1, 3, 16), 1, "working_days", calendar)  # Friday
        second = due(local(2031, 1, 1, 9), 1, "working_days", calendar)  # the city's own holiday
        calendar.working_time_between(local(2031, 1, 1), local(2031, 3, 1))

    assert first == local(2031, 1, 6, 16)
    assert second == local(2031, 1, 2, 17, 30)
    warnings = [entry for entry in logs if entry["event"] == "worktime.year_unknown"]
    assert [(entry["log_level"], entry["year"]) for entry in warnings] == [("warning", 2031)]


def test_a_calendar_without_working_days_refuses_rather_than_hangs() -> None:
    first = date(2026, 11, 1)
    days_off = tuple(CityDay(first + timedelta(days=offset), working=False) for offset in range(500))
    calendar = WorkCalendar(SHANGHAI, WorkingTime(days=days_off))

    with pytest.raises(ValueError, match="no working day in the 400 days"):
        due(local(2026, 11, 1, 9), 1, "working_hours", calendar)
    with pytest.raises(ValueError, match="must not be negative"):
        CALENDAR.add_working_time(local(2026, 11, 10, 9), -timedelta(hours=1))
    assert CALENDAR.add_working_time(local(2026, 11, 10, 7), timedelta(0)) == local(2026, 11, 10, 7)


def test_the_demo_city_has_the_default_hours() -> None:
    assert "[working_time]" in (DEFAULT_CITY / "city.toml").read_text(encoding="utf-8")
    calendar = load_city(DEFAULT_CITY).calendar
    assert [str(interval) for interval in calendar.hours] == ["08:30-12:00", "13:30-17:30"]
    assert calendar.working_time == WorkingTime()


@pytest.mark.parametrize(
    ("settings_text", "expected"),
    [
        ('[working_time]\nhours = ["08:00-12:00", "11:30-17:00"]\n', "08:00-12:00 and 11:30-17:00 overlap"),
        ('[working_time]\nhours = ["17:30-08:30"]\n', "'17:30-08:30' ends before it starts"),
        ('[working_time]\nhours = ["8:30-12:00"]\n', 'an interval is "HH:MM-HH:MM"'),
        ('[working_time]\nhours = ["08:30-25:00"]\n', "is not a time of day"),
        ("[working_time]\nhours = []\n", "must be a non-empty list"),
        ('[working_time]\nhour = ["08:30-12:00"]\n', "unknown key 'hour' (known: hours, days)"),
        ("working_time = 5\n", "working_time must be a table"),
        ('[[working_time.days]]\ndate = "2026-02-30"\nworking = false\n', "#1: date must be a day"),
        ("[[working_time.days]]\ndate = 2026-11-11T08:00:00\nworking = false\n", "not the date-time"),
        ('[[working_time.days]]\ndate = 2026-11-11\nworking = "no"\n', "working must be true or false"),
        ("[[working_time.days]]\ndate = 2026-11-11\nworking = false\nwhy = 1\n", "unknown key 'why'"),
        (
            "[[working_time.days]]\ndate = 2026-11-11\nworking = false\n"
            "[[working_time.days]]\ndate = 2026-11-11\nworking = true\n",
            "#2: 2026-11-11 is listed twice",
        ),
    ],
    ids=[
        "overlap",
        "end before start",
        "format",
        "hour 25",
        "no hours",
        "unknown key",
        "not a table",
        "no such date",
        "date-time",
        "working not a boolean",
        "unknown day key",
        "listed twice",
    ],
)
def test_a_broken_working_time_is_refused_with_the_reason(tmp_path: Path, settings_text: str, expected: str) -> None:
    with pytest.raises(CityConfigError, match=r"city\.toml") as refused:
        city_calendar(tmp_path, settings_text)

    assert expected in str(refused.value)


INSTANTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(start=INSTANTS, hours=st.integers(min_value=1, max_value=200))
def test_n_working_hours_are_n_hours_of_working_time_and_grow_with_n(start: datetime, hours: int) -> None:
    ends = due(start, hours, "working_hours")
    later = due(start, hours + 1, "working_hours")

    assert CALENDAR.working_time_between(start, ends) == timedelta(hours=hours)
    assert start < ends < later
    assert CALENDAR.working_time_between(ends, later) == timedelta(hours=1)
    assert CALENDAR.working_time_between(ends, start) == -timedelta(hours=hours)


@settings(max_examples=200, deadline=None)
@given(start=INSTANTS, days=st.integers(min_value=1, max_value=30))
def test_n_working_days_are_n_working_days_of_working_time(start: datetime, days: int) -> None:
    ends = due(start, days, "working_days")

    assert CALENDAR.working_time_between(start, ends) == CALENDAR.day_length * days
    assert CALENDAR.is_working_moment(ends - timedelta(microseconds=1))
    assert CALENDAR.next_working_moment(start) <= ends
