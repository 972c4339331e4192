"""大屏 The dashboard: its page and bundle (public), and the city's areas it draws its map from.

The page itself holds no data: every figure comes from the authenticated /v1 routes with the
token the user gives it. The bundle is built by `make dashboard` (web/, esbuild) into
`static/` beside this file, which git ignores; without it the service still starts and `/`
says how to build it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from shapely.geometry import mapping
from starlette.staticfiles import StaticFiles

from casekit.access.guard import Caller
from cityconfig import City, Level
from services.analytics.adapters.deps import AnalyticsDep

BUNDLE = Path(__file__).parent / "static"
NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>大屏未构建 Dashboard not built</title>
<h1>大屏尚未构建 · The dashboard is not built</h1>
<p>在仓库根目录运行 <code>make dashboard</code> (npm ci + esbuild), 然后刷新本页。</p>
<p>Run <code>make dashboard</code> (npm ci + esbuild) at the repository's root, then reload this page.</p></html>"""
# The bundle loads only its own files; ECharts sets inline styles on its tooltips, hence 'unsafe-inline' for styles.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

page_router = APIRouter(tags=["dashboard"])


@page_router.get("/", response_class=HTMLResponse)
def dashboard() -> HTMLResponse:  # not async: it reads a file, so FastAPI runs it in a thread
    """大屏: the dashboard page (public; it asks for a token before it reads any figure)."""
    index = BUNDLE / "index.html"
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}
    if not index.is_file():
        # 200, not 503: the service itself is well; the page says what to run (and the fuzzers' no-5xx check holds)
        return HTMLResponse(NOT_BUILT, headers=headers)
    return HTMLResponse(index.read_text(encoding="utf-8"), headers=headers)


class Bundle(StaticFiles):
    """The built scripts and styles under /static; a missing build answers 404 rather than failing the start."""

    async def check_config(self) -> None:
        with contextlib.suppress(RuntimeError):  # no such directory: every file is then simply not found
            await super().check_config()


def mount_bundle(app: FastAPI) -> None:
    app.mount("/static", Bundle(directory=BUNDLE, check_dir=False), name="dashboard_static")


areas_router = APIRouter(prefix="/v1/areas", tags=["areas"])


class GeoJson(JSONResponse):
    """JSON as `application/geo+json`; a JSON response class, so OpenAPI documents the model's schema."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


class AreaProperties(BaseModel):
    code: str
    name: str
    level: Level
    parent: str | None


class AreaFeature(BaseModel):
    """One area: its outline a GeoJSON Polygon or MultiPolygon in WGS-84 (x = lon, y = lat)."""

    type: Literal["Feature"]
    properties: AreaProperties
    geometry: dict[str, Any]


class AreaCollection(BaseModel):
    """辖区: the areas of one level, as ECharts' `registerMap` takes them."""

    type: Literal["FeatureCollection"]
    features: list[AreaFeature]


# The model documents the answer; the bytes are serialised once per city and level and sent as they are.
@areas_router.get("", response_class=GeoJson, response_model=AreaCollection)
def get_areas(
    analytics: AnalyticsDep, caller: Caller, level: Annotated[Level, Query(description="辖区层级")] = "district"
) -> GeoJson:
    """辖区: the city's areas of one level as a GeoJSON FeatureCollection (properties code, name, level, parent)."""
    # Not async: the first call per level serialises a few hundred outlines, off the event loop.
    return GeoJson(areas_geojson(analytics.city, level), headers={"Cache-Control": "private, max-age=300"})


_SERIALISED: dict[tuple[str, Level], bytes] = {}


def areas_geojson(city: City, level: Level) -> bytes:
    """Once per city folder and level: the outlines do not change while a service runs."""
    key = (str(city.path), level)
    if key not in _SERIALISED:
        features: list[dict[str, Any]] = [
            {
                "type": "Feature",
                "properties": {"code": j.code, "name": j.name, "level": j.level, "parent": j.parent},
                "geometry": mapping(j.geometry),
            }
            for j in sorted(city.jurisdictions.values(), key=lambda j: j.code)
            if j.level == level
        ]
        _SERIALISED[key] = orjson.dumps({"type": "FeatureCollection", "features": features})
    return _SERIALISED[key]
