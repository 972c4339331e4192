"""A city's configuration folder: its jurisdictions (辖区) and its catalogue of case categories (案件类别)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cityconfig.catalogue import Category, read_categories
from cityconfig.city_settings import DEFAULT_ZONE, SETTINGS_FILE, read_city_settings
from cityconfig.duty import DUTY_FILE, NO_DUTY, Duty, read_duty
from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import Jurisdiction, Place, read_jurisdictions
from cityconfig.routing_table import ROUTING_FILE, RoutingTable, read_routing
from cityconfig.spatial import CellIndex
from cityconfig.units import UNITS_FILE, Units, read_units
from cityconfig.worktime import WorkCalendar, load_calendar

DEFAULT_CITY = Path(__file__).resolve().parent.parent / "cities" / "xuzhou-demo"
JURISDICTIONS_FILE = "jurisdictions.geojson"
CATEGORIES_FILE = "categories.tsv"


class City:
    """城市配置: one city's jurisdictions, categories and time zone (时区), checked at load.

    Coordinates are WGS-84 (lat, lon). Instants stay UTC inside; the time zone gives the city's
    calendar date, which case numbers and every day-based figure use (issue 8, defect 2).
    """

    def __init__(
        self,
        name: str,
        path: Path,
        jurisdictions: Mapping[str, Jurisdiction],
        categories: dict[str, Category],
        timezone: ZoneInfo = DEFAULT_ZONE,
        units: Units | None = None,
        routing: RoutingTable | None = None,
        calendar: WorkCalendar | None = None,
        index: CellIndex | None = None,
        duty: Duty = NO_DUTY,
    ) -> None:
        self.name = name
        self.path = path
        self.jurisdictions = jurisdictions
        self.categories = categories
        self.timezone = timezone
        self.units = units
        """责任单位 (`units.yaml`); None for a city folder without one (Dispatch then refuses to start)."""
        self.routing = routing
        """派遣规则 (`routing.yaml`), present exactly when `units` is."""
        self.calendar = calendar or WorkCalendar(timezone)
        self.duty = duty
        """定人定岗定责定时 (`duty.yaml`): who is fixed to which grids; no assignments for a city without the file."""
        self._index = index or CellIndex(jurisdictions)
        """落点索引: built from `jurisdictions` unless given (load_city reuses one per file content)."""

    def local_date(self, instant: datetime) -> date:
        """The city's calendar date at an instant: 2026-11-30T23:30Z is 2026-12-01 in Shanghai."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            # A naive datetime has no instant: guessing UTC or local time is how defect 2 happened.
            raise ValueError(f"local_date needs an aware datetime, got naive {instant.isoformat()}")
        return instant.astimezone(self.timezone).date()

    def jurisdiction(self, code: str) -> Jurisdiction | None:
        return self.jurisdictions.get(code)

    def locate(self, lat: float, lon: float) -> Place | None:
        """Where a WGS-84 point falls; None when it is outside every district."""
        return self._index.locate(lon, lat)

    def place_of(self, code: str) -> Place | None:
        """The place a jurisdiction code names, with its chain of parents (finer levels None); None if unknown.

        A unit-grid code given by a report (单元网格编码) locates it as well as a point would.
        """
        chain: dict[str, str] = {}
        jurisdiction = self.jurisdictions.get(code)
        while jurisdiction is not None:
            chain[jurisdiction.level] = jurisdiction.code
            jurisdiction = self.jurisdictions.get(jurisdiction.parent) if jurisdiction.parent else None
        if "district" not in chain:
            return None
        return Place(
            grid_code=chain.get("grid"),
            community_code=chain.get("community"),
            street_code=chain.get("street"),
            district_code=chain["district"],
        )

    def contains(self, lat: float, lon: float) -> bool:
        return self.locate(lat, lon) is not None

    def representative_point(self, code: str) -> tuple[float, float]:
        """A (lat, lon) guaranteed inside the jurisdiction's polygon (not its centroid, which may fall outside)."""
        jurisdiction = self.jurisdictions.get(code)
        if jurisdiction is None:
            raise KeyError(f"{self.name} has no jurisdiction {code!r}")
        point = jurisdiction.geometry.representative_point()
        return (point.y, point.x)

    def category(self, code: str) -> Category | None:
        return self.categories.get(code)


def load_city(path: Path) -> City:
    """Load and validate a city folder (`jurisdictions.geojson`, `categories.tsv`; optional `city.toml`,
    `units.yaml` with `routing.yaml`, which Dispatch needs, and `duty.yaml`, which needs `units.yaml`).

    Raises CityConfigError, so a service with a broken city refuses to start.
    """
    if not path.is_dir():
        raise CityConfigError(path, "is not a city folder (no such directory)")
    settings = read_city_settings(path / SETTINGS_FILE)
    jurisdictions, index = _indexed_jurisdictions(path / JURISDICTIONS_FILE)
    categories = read_categories(path / CATEGORIES_FILE)
    units = routing = None
    if (path / UNITS_FILE).exists() or (path / ROUTING_FILE).exists():
        units = read_units(path / UNITS_FILE, jurisdictions)
        routing = read_routing(path / ROUTING_FILE, units, categories)
    duty = read_duty(path / DUTY_FILE, units, jurisdictions) if (path / DUTY_FILE).exists() else NO_DUTY
    return City(
        name=path.resolve().name,
        path=path,
        jurisdictions=jurisdictions,
        categories=categories,
        timezone=settings.timezone,
        units=units,
        routing=routing,
        calendar=load_calendar(path, settings.timezone),
        index=index,
        duty=duty,
    )


_INDEXED: dict[bytes, tuple[dict[str, Jurisdiction], CellIndex]] = {}
INDEXED_KEPT = 4


def _indexed_jurisdictions(file: Path) -> tuple[dict[str, Jurisdiction], CellIndex]:
    """The jurisdictions in `file` and their point index, built once per file content in a process:
    a service's app, and every test's, loads the same city again, and the index takes ~1 s to build."""
    try:
        digest: bytes | None = hashlib.blake2b(file.read_bytes(), digest_size=16).digest()
    except OSError:
        digest = None  # read_jurisdictions says what is wrong with it
    known = _INDEXED.get(digest) if digest else None
    if known is None:
        jurisdictions = read_jurisdictions(file)
        known = (jurisdictions, CellIndex(jurisdictions))
        if digest:
            _INDEXED[digest] = known
            while len(_INDEXED) > INDEXED_KEPT:
                del _INDEXED[next(iter(_INDEXED))]
    return dict(known[0]), known[1]


def city_path_from_env() -> Path:
    """The folder named by CITY_CONFIG, else the Xuzhou demo city shipped in `cities/`."""
    configured = os.environ.get("CITY_CONFIG", "").strip()
    return Path(configured) if configured else DEFAULT_CITY
