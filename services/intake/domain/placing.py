"""Placing a report in the city: coordinates to WGS-84, inside the city, in which unit grid.

Pure: the city is configuration. Each refusal names the rule and the path, like a contract error.
"""

from __future__ import annotations

from casekit.errors import InvalidInput
from cityconfig.city import City
from cityconfig.coords import to_wgs84
from schemas.intake import Place, ReceivedLocation, ReportedLocation, ReportSubmission


def place_report(submission: ReportSubmission, city: City) -> tuple[ReceivedLocation | None, Place | None]:
    """The report's WGS-84 point and its place; refuses what the city does not know."""
    if city.category(submission.category_code) is None:
        raise InvalidInput(
            f"unknown category {submission.category_code}", path="/category_code", rule="unknown-category"
        )
    if submission.whistle and city.jurisdiction(submission.whistle.community_code) is None:
        raise InvalidInput(
            f"unknown community {submission.whistle.community_code}",
            path="/whistle/community_code",
            rule="unknown-community",
        )
    where = submission.location
    grid = None
    if where.grid_code is not None:
        grid = city.jurisdiction(where.grid_code)
        if grid is None or grid.level != "grid":
            raise InvalidInput(f"unknown unit grid {where.grid_code}", path="/location/grid_code", rule="unknown-grid")
    if where.lat is None or where.lon is None:
        if grid is None:
            return None, None
        return None, _place_of(city, grid.code)
    lat, lon = to_wgs84(where.lat, where.lon, where.crs)
    found = city.locate(lat, lon)
    if found is None:
        raise InvalidInput(
            f"({where.lat}, {where.lon}) {where.crs} is outside {city.name}", path="/location", rule="outside-city"
        )
    reported = None if where.crs == "WGS84" else ReportedLocation(lat=where.lat, lon=where.lon, crs=where.crs)
    place = Place(
        district_code=found.district_code,
        street_code=found.street_code,
        community_code=found.community_code,
        grid_code=found.grid_code,
    )
    return ReceivedLocation(lat=round(lat, 7), lon=round(lon, 7), reported=reported), place


def _place_of(city: City, grid_code: str) -> Place:
    codes: dict[str, str] = {}
    code: str | None = grid_code
    while code is not None:
        jurisdiction = city.jurisdiction(code)
        if jurisdiction is None:
            break
        codes[jurisdiction.level] = jurisdiction.code
        code = jurisdiction.parent
    return Place(
        district_code=codes.get("district"),
        street_code=codes.get("street"),
        community_code=codes.get("community"),
        grid_code=codes.get("grid"),
    )
