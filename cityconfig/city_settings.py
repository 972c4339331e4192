"""城市设置: the settings in a city folder's `city.toml` that no data file carries (today its time zone, 时区)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cityconfig.errors import CityConfigError

SETTINGS_FILE = "city.toml"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)  # ZoneInfo instances are cached and immutable: safe to share
KNOWN_KEYS = ("timezone",)


@dataclass(frozen=True)
class CitySettings:
    """What `city.toml` says, with its defaults filled in."""

    timezone: ZoneInfo = DEFAULT_ZONE


def read_city_settings(file: Path) -> CitySettings:
    """Read `city.toml`; a city without one gets the defaults (Asia/Shanghai); raise CityConfigError."""
    if not file.is_file():
        return CitySettings()
    try:
        table = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as why:
        raise CityConfigError(file, f"not readable TOML ({why})") from why
    # A misspelt key (`time_zone`) would silently fall back to the default: refuse it instead.
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise CityConfigError(file, f"unknown key {unknown[0]!r} (known: {', '.join(KNOWN_KEYS)})")
    return CitySettings(timezone=_zone(file, table.get("timezone", DEFAULT_TIMEZONE)))


def _zone(file: Path, name: object) -> ZoneInfo:
    if not isinstance(name, str):
        raise CityConfigError(file, f"timezone must be a string such as {DEFAULT_TIMEZONE!r}, not {name!r}")
    try:
        return ZoneInfo(name)
    # ValueError: not a zone key at all ('', '../etc/passwd', '/abs'); not found: no such zone.
    except (ZoneInfoNotFoundError, ValueError) as why:
        raise CityConfigError(file, f"unknown time zone {name!r} (an IANA name such as {DEFAULT_TIMEZONE!r})") from why
