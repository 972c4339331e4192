"""辖区解析 `GET /v1/jurisdictions/resolve`: which district, street, community and unit grid a point,
or a unit-grid code, falls in — the answer Dispatch routes a case by (issue 10, "Routing").

A point in WGS-84, GCJ-02 (AMap, Tencent), BD-09 (Baidu) or CGCS2000 (天地图) is converted to WGS-84
(cityconfig.coords) and resolved by the city's point index (cityconfig.spatial): the smallest
enclosing area, a shared border going to the lowest code. A point outside every district is a 422
with the reason; an unknown grid code a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from casekit.errors import InvalidInput, NotFound
from casekit.web.responses import problem_response
from cityconfig.city import City
from cityconfig.coords import to_wgs84
from cityconfig.jurisdictions import Place
from schemas.intake import CoordinateSystem
from services.dispatch.adapters.deps import DispatchDep

router = APIRouter(tags=["jurisdictions"])


async def city_of(dispatch: DispatchDep) -> City:
    """The city Dispatch routes in (its context's), so the route answers as routing decides."""
    return dispatch.city


CityDep = Annotated[City, Depends(city_of)]


class Area(BaseModel):
    """One level's jurisdiction: its code (GB/T 2260 and the city's own digits) and its name."""

    code: str
    name: str


class WGS84Point(BaseModel):
    lat: float
    lon: float


class Resolution(BaseModel):
    """落点: every level's area, finest first; null for a level with no polygon there."""

    grid: Area | None = Field(description="单元网格 unit grid")
    community: Area | None = Field(description="社区 community")
    street: Area | None = Field(description="街道 street (街乡镇)")
    district: Area = Field(description="区 district")
    point: WGS84Point | None = Field(description="The point asked about, in WGS-84; null when asked by grid code")


def _area(city: City, code: str | None) -> Area | None:
    jurisdiction = city.jurisdiction(code) if code else None
    return Area(code=jurisdiction.code, name=jurisdiction.name) if jurisdiction else None


def _resolution(city: City, place: Place, point: WGS84Point | None) -> Resolution:
    district = _area(city, place.district_code)
    assert district is not None  # a Place always has its district
    return Resolution(
        grid=_area(city, place.grid_code),
        community=_area(city, place.community_code),
        street=_area(city, place.street_code),
        district=district,
        point=point,
    )


@router.get(
    "/v1/jurisdictions/resolve",
    responses={
        404: problem_response(404, "No unit grid has this code"),
        422: problem_response(422, "Outside every district, or lat/lon missing or out of range"),
    },
)
async def resolve_jurisdiction(
    caller: Caller,
    city: CityDep,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude in `crs`")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Longitude in `crs`")] = None,
    crs: Annotated[CoordinateSystem, Query(description="The coordinate system of lat and lon")] = "WGS84",
    grid_code: Annotated[
        str | None, Query(pattern=r"^\d{15}$", description="单元网格编码, instead of lat and lon")
    ] = None,
) -> Resolution:
    """The district, street, community and unit grid of a point (or of a unit-grid code)."""
    if grid_code is not None:
        if lat is not None or lon is not None:
            raise InvalidInput("give either lat and lon, or grid_code", "/query/grid_code", "one-location")
        place = city.place_of(grid_code)
        jurisdiction = city.jurisdiction(grid_code)
        if place is None or jurisdiction is None or jurisdiction.level != "grid":
            raise NotFound(f"{city.name} has no unit grid {grid_code}")
        return _resolution(city, place, None)
    if lat is None or lon is None:
        missing = "/query/lat" if lat is None else "/query/lon"
        raise InvalidInput("lat and lon are both required (or give grid_code)", missing, "missing")
    wgs_lat, wgs_lon = _converted(lat, lon, crs)
    found = city.locate(wgs_lat, wgs_lon)
    if found is None:
        reason = f"({wgs_lat:.6f}, {wgs_lon:.6f}) in WGS-84 is outside every district of {city.name}"
        raise InvalidInput(reason, "/query", "outside-city")
    return _resolution(city, found, WGS84Point(lat=wgs_lat, lon=wgs_lon))


def _converted(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    try:
        return to_wgs84(lat, lon, crs)
    except ValueError as why:
        raise InvalidInput(str(why), "/query", "coordinates") from None
