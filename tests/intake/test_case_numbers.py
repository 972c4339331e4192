"""案件编号 carry the city's date: a report at 07:00 in Xuzhou is numbered today, not yesterday (issue 8, defect 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from cityconfig import DEFAULT_CITY, City, load_city
from schemas.intake import Channel
from services.intake.domain.case_numbers import case_number

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(DEFAULT_CITY)


@pytest.mark.parametrize(
    ("channel", "day", "sequence", "expected"),
    [
        ("hotline", date(2026, 11, 24), 123, "HL-20261124-000123"),
        ("grid", date(2026, 1, 5), 1, "GR-20260105-000001"),
        ("whistle", date(2026, 12, 31), 999_999, "WH-20261231-999999"),
        ("public", date(2027, 2, 28), 42, "PB-20270228-000042"),
    ],
)
def test_a_case_number_is_prefix_day_and_sequence(channel: Channel, day: date, sequence: int, expected: str) -> None:
    assert case_number(channel, day, sequence) == expected


@pytest.mark.parametrize("sequence", [0, -1])
def test_a_sequence_below_one_is_refused(sequence: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        case_number("hotline", date(2026, 11, 24), sequence)


def test_a_report_at_23_30_utc_is_numbered_with_the_next_day_in_shanghai(city: City) -> None:
    at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)

    assert case_number("hotline", city.local_date(at), 7) == "HL-20261201-000007"


def test_a_report_at_07_00_beijing_time_gets_today_not_yesterday(city: City) -> None:
    at = datetime(2026, 11, 24, 7, 0, tzinfo=BEIJING).astimezone(UTC)  # 2026-11-23T23:00Z, as utc_now() gives it

    assert case_number("grid", city.local_date(at), 1) == "GR-20261124-000001"
    assert case_number("grid", at.date(), 1) == "GR-20261123-000001"  # what the UTC date gave (the defect)


def test_the_daily_sequence_does_not_restart_at_08_00_beijing_time(city: City) -> None:
    # The counter is keyed by (prefix, day): the day must not change between 07:59 and 08:00 local.
    before = datetime(2026, 11, 24, 7, 59, tzinfo=BEIJING).astimezone(UTC)
    after = datetime(2026, 11, 24, 8, 0, tzinfo=BEIJING).astimezone(UTC)

    assert city.local_date(before) == city.local_date(after) == date(2026, 11, 24)


def test_the_daily_sequence_restarts_at_midnight_beijing_time(city: City) -> None:
    last_second = datetime(2026, 11, 24, 23, 59, 59, tzinfo=BEIJING).astimezone(UTC)
    midnight = datetime(2026, 11, 25, 0, 0, tzinfo=BEIJING).astimezone(UTC)

    assert (city.local_date(last_second), city.local_date(midnight)) == (date(2026, 11, 24), date(2026, 11, 25))
