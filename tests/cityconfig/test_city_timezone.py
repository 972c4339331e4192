"""The city's time zone (时区) comes from its folder, Asia/Shanghai by default, and gives its calendar date."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cityconfig import DEFAULT_CITY, City, CityConfigError, load_city
from tests.cityconfig.small_city import small_city_features, write_city

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def shanghai_city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return load_city(write_city(tmp_path_factory.mktemp("city"), small_city_features()))


def city_with(tmp_path: Path, settings: str) -> Path:
    return write_city(tmp_path / "city", small_city_features(), settings=settings)


def test_the_demo_city_names_its_time_zone() -> None:
    assert "Asia/Shanghai" in (DEFAULT_CITY / "city.toml").read_text(encoding="utf-8")
    assert load_city(DEFAULT_CITY).timezone == ZoneInfo("Asia/Shanghai")


def test_a_city_without_city_toml_is_in_shanghai(shanghai_city: City) -> None:
    assert not (shanghai_city.path / "city.toml").exists()
    assert shanghai_city.timezone == ZoneInfo("Asia/Shanghai")


def test_the_time_zone_is_read_from_the_city_folder(tmp_path: Path) -> None:
    city = load_city(city_with(tmp_path, 'timezone = "Asia/Urumqi"\n'))

    assert city.timezone == ZoneInfo("Asia/Urumqi")


def test_an_empty_city_toml_keeps_the_default(tmp_path: Path) -> None:
    city = load_city(city_with(tmp_path, "# nothing set\n"))

    assert city.timezone == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ('timezone = "Asia/Xuzhou"\n', "unknown time zone 'Asia/Xuzhou' (an IANA name such as 'Asia/Shanghai')"),
        ('timezone = "CST+8"\n', "unknown time zone 'CST+8'"),
        ('timezone = ""\n', "unknown time zone ''"),
        ('timezone = "../../etc/passwd"\n', "unknown time zone '../../etc/passwd'"),
        ("timezone = 8\n", "timezone must be a string such as 'Asia/Shanghai', not 8"),
        ('time_zone = "Asia/Shanghai"\n', "unknown key 'time_zone' (known: timezone, working_time)"),
        ("timezone = Asia/Shanghai\n", "not readable TOML"),
    ],
    ids=["unknown zone", "not an IANA name", "empty", "a path", "not a string", "misspelt key", "not toml"],
)
def test_a_broken_city_toml_is_refused_with_the_reason(tmp_path: Path, settings: str, expected: str) -> None:
    with pytest.raises(CityConfigError, match=r"city\.toml") as refused:
        load_city(city_with(tmp_path, settings))

    assert expected in str(refused.value)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 11, 24, 7, 0, tzinfo=BEIJING), date(2026, 11, 24)),  # 23:00Z the day before
        (datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC), date(2026, 11, 23)),  # 23:59:59 in Beijing
        (datetime(2026, 11, 23, 16, 0, tzinfo=UTC), date(2026, 11, 24)),  # midnight in Beijing
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), date(2027, 1, 1)),  # a new year, eight hours early
    ],
    ids=["23:30Z is tomorrow", "07:00 Beijing is today", "last second", "local midnight", "new year"],
)
def test_the_local_date_is_the_date_in_shanghai(shanghai_city: City, instant: datetime, expected: date) -> None:
    assert shanghai_city.local_date(instant) == expected


def test_the_local_date_follows_the_configured_zone(tmp_path: Path) -> None:
    city = load_city(city_with(tmp_path, 'timezone = "America/New_York"\n'))

    assert city.local_date(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == date(2026, 11, 30)


def test_a_naive_datetime_is_refused(shanghai_city: City) -> None:
    with pytest.raises(ValueError, match="naive 2026-11-24T07:00:00"):
        shanghai_city.local_date(datetime(2026, 11, 24, 7, 0))  # naive on purpose


@pytest.fixture
def no_system_tz_database() -> Iterator[None]:
    """As on a slim container image without /usr/share/zoneinfo: only the pinned tzdata package is left."""
    zoneinfo.reset_tzpath(to=[])
    try:
        yield
    finally:
        zoneinfo.reset_tzpath()


@pytest.mark.usefixtures("no_system_tz_database")
def test_the_zone_loads_without_the_system_tz_database() -> None:
    zone = ZoneInfo.no_cache("Asia/Shanghai")

    assert datetime(2026, 11, 30, 23, 30, tzinfo=UTC).astimezone(zone).date() == date(2026, 12, 1)
