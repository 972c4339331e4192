"""城市配置: per-city jurisdictions, case categories, time zone and coordinates, shared by Intake and Dispatch."""

from cityconfig.catalogue import Category, Urgency
from cityconfig.city import DEFAULT_CITY, City, city_path_from_env, load_city
from cityconfig.city_settings import DEFAULT_TIMEZONE
from cityconfig.coords import from_wgs84, to_wgs84
from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import Jurisdiction, Level, Place
from schemas.intake import CoordinateSystem

__all__ = [
    "DEFAULT_CITY",
    "DEFAULT_TIMEZONE",
    "Category",
    "City",
    "CityConfigError",
    "CoordinateSystem",
    "Jurisdiction",
    "Level",
    "Place",
    "Urgency",
    "city_path_from_env",
    "from_wgs84",
    "load_city",
    "to_wgs84",
]
