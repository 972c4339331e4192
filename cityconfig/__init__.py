"""城市配置: per-city jurisdictions, case categories and coordinate conversion, shared by Intake and Dispatch."""

from cityconfig.catalogue import Category, Urgency
from cityconfig.city import DEFAULT_CITY, City, city_path_from_env, load_city
from cityconfig.coords import from_wgs84, to_wgs84
from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import Jurisdiction, Level, Place
from schemas.intake import CoordinateSystem

__all__ = [
    "DEFAULT_CITY",
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
