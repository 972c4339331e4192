"""GET /v1/areas: the city's areas of one level as GeoJSON, the dashboard map's outlines (辖区边界)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from devstack.stack import Stack
from services.analytics.adapters import dashboard
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from tests.conftest import ROOT, bearer, running, service_env

CITY = ROOT / "cities" / "xuzhou-demo" / "jurisdictions.geojson"


async def test_areas_of_each_level_are_the_citys_own_outlines(stack: Stack, database: str, topics_for: str) -> None:
    source = json.loads(CITY.read_text(encoding="utf-8"))["features"]
    expected = Counter(feature["properties"]["level"] for feature in source)
    gulou = next(f for f in source if f["properties"]["code"] == "320302")
    app = analytics_app(AnalyticsSettings(**service_env(stack, database, topics_for, "analytics")))
    async with running(app, headers=bearer("analyst")) as analytics:
        replies = {level: await analytics.get("/v1/areas", params={"level": level}) for level in expected}
        default = await analytics.get("/v1/areas")
        wrong = await analytics.get("/v1/areas", params={"level": "province"})
        anonymous = await analytics.get("/v1/areas", headers={"Authorization": ""})
        grid_member = await analytics.get("/v1/areas", headers=bearer("grid_member"))

    for level, reply in replies.items():
        assert reply.status_code == 200, reply.text
        assert reply.headers["content-type"] == "application/geo+json"
        document = reply.json()
        assert document["type"] == "FeatureCollection"
        assert len(document["features"]) == expected[level]
        assert {f["properties"]["level"] for f in document["features"]} == {level}
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in document["features"])
    districts = default.json()["features"]
    assert [f["properties"]["code"] for f in districts] == sorted(f["properties"]["code"] for f in districts)
    first = next(f for f in districts if f["properties"]["code"] == "320302")
    assert first["properties"] == {"code": "320302", "name": "鼓楼区", "level": "district", "parent": None}
    assert first["geometry"] == gulou["geometry"]
    assert wrong.status_code == 422
    assert (anonymous.status_code, grid_member.status_code) == (401, 403)


async def test_the_page_is_public_and_says_how_to_build_it_when_the_bundle_is_missing(
    stack: Stack, database: str, topics_for: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard, "BUNDLE", ROOT / "no-such-bundle")
    app = analytics_app(AnalyticsSettings(**service_env(stack, database, topics_for, "analytics")))
    async with running(app, headers={}) as anonymous:
        page = await anonymous.get("/")
        script = await anonymous.get("/static/dashboard.js")
        figures = await anonymous.get("/v1/reports/counts")

    assert page.status_code == 200
    assert "make dashboard" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert script.status_code == 404
    assert figures.status_code == 401
