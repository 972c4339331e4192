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
        # The city's place (cityconfig) and the contract's have the same four codes.
        return None, Place.model_validate(city.place_of(grid.code), from_attributes=True)
    lat, lon = to_wgs84(where.lat, where.lon, where.crs)
    found = city.locate(lat, lon)
    if found is None:
        raise InvalidInput(
            f"({where.lat}, {where.lon}) {where.crs} is outside {city.name}", path="/location", rule="outside-city"
        )
    reported = None if where.crs == "WGS84" else ReportedLocation(lat=where.lat, lon=where.lon, crs=where.crs)
    place = Place.model_validate(found, from_attributes=True)
    return ReceivedLocation(lat=round(lat, 7), lon=round(lon, 7), reported=reported), place
