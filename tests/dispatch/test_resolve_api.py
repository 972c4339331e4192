"""`GET /v1/jurisdictions/resolve` on Dispatch, against the demo city: a point in any of the four
coordinate systems, or a unit-grid code, answers every level's code and name; outside the city, or
bad input, is a 422 problem; an unknown grid a 404."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cityconfig import DEFAULT_CITY, City, load_city
from cityconfig.coords import from_wgs84
from devstack.stack import Stack
from schemas.access import SUBMIT_REPORTS, UNIT_STAFF
from services.dispatch.main import create_app
from services.dispatch.settings import DispatchSettings
from tests.conftest import bearer, running, service_env, system_bearer

PATH = "/v1/jurisdictions/resolve"
GRID = "320302001002001"


@pytest.fixture(scope="module")
def city() -> City:
    return load_city(DEFAULT_CITY)


@pytest.fixture
async def client(stack: Stack, database: str, topics_for: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch")))
    async with running(app, headers=bearer(UNIT_STAFF, unit="municipal-works", areas=["320302"])) as client:
        yield client


def expected_levels(city: City, grid_code: str) -> dict[str, dict[str, str]]:
    grid = city.jurisdictions[grid_code]
    community = city.jurisdictions[grid.parent or ""]
    street = city.jurisdictions[community.parent or ""]
    district = city.jurisdictions[street.parent or ""]
    return {
        level: {"code": j.code, "name": j.name}
        for level, j in (("grid", grid), ("community", community), ("street", street), ("district", district))
    }


async def test_a_point_and_its_grid_code_resolve_to_every_level_in_any_coordinate_system(
    client: httpx.AsyncClient, city: City
) -> None:
    lat, lon = city.representative_point(GRID)
    expected = expected_levels(city, GRID)

    for crs in ("WGS84", "CGCS2000", "GCJ02", "BD09"):
        shown_lat, shown_lon = from_wgs84(lat, lon, crs)
        reply = await client.get(PATH, params={"lat": shown_lat, "lon": shown_lon, "crs": crs})
        assert reply.status_code == 200, (crs, reply.text)
        body = reply.json()
        assert {level: body[level] for level in expected} == expected, crs
        assert body["point"] == pytest.approx({"lat": lat, "lon": lon}, abs=1e-6), crs
    by_code = await client.get(PATH, params={"grid_code": GRID})
    assert by_code.status_code == 200
    assert by_code.json() == {**expected, "point": None}


async def test_a_point_on_a_shared_edge_resolves_to_the_lower_code(client: httpx.AsyncClient, city: City) -> None:
    # The demo's grids are rectangles tiling their community: a grid's east edge is its neighbour's west edge.
    grid = city.jurisdictions[GRID]
    _west, south, east, north = grid.geometry.bounds
    neighbour = city.locate((south + north) / 2, east + 1e-6)
    assert neighbour is not None
    assert neighbour.grid_code != GRID

    reply = await client.get(PATH, params={"lat": (south + north) / 2, "lon": east})

    assert reply.json()["grid"]["code"] == min(GRID, neighbour.grid_code or "")


async def test_a_point_outside_the_city_is_refused_with_the_reason(client: httpx.AsyncClient) -> None:
    reply = await client.get(PATH, params={"lat": 31.23, "lon": 121.47})  # Shanghai

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert "outside every district" in reply.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 34.26},  # no lon
        {},
        {"lat": 91, "lon": 117.2},
        {"lat": 34.26, "lon": 181},
        {"lat": 34.26, "lon": 117.2, "crs": "EPSG:3857"},
        {"lat": 34.26, "lon": 117.2, "grid_code": GRID},
        {"grid_code": "3203020010010"},  # 13 digits: a community's length, not a grid's
    ],
    ids=["no-lon", "nothing", "lat-out-of-range", "lon-out-of-range", "unknown-crs", "point-and-grid", "short-code"],
)
async def test_bad_input_is_a_422_problem(client: httpx.AsyncClient, params: dict[str, str | float]) -> None:
    reply = await client.get(PATH, params=params)

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"


async def test_an_unknown_grid_code_is_not_found(client: httpx.AsyncClient) -> None:
    reply = await client.get(PATH, params={"grid_code": "320302999999999"})

    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert "320302999999999" in reply.json()["detail"]


async def test_a_channel_system_may_resolve_and_a_scopeless_one_may_not(client: httpx.AsyncClient) -> None:
    params = {"grid_code": GRID}
    submitter = system_bearer("a-hotline", [SUBMIT_REPORTS], ["hotline"])
    scopeless = system_bearer("a-stranger", [], ["hotline"])

    assert (await client.get(PATH, params=params, headers=submitter)).status_code == 200
    assert (await client.get(PATH, params=params, headers=scopeless)).status_code == 403
