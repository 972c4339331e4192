"""Analytics' app factory and entry point: `python -m services.analytics.main`."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.service import ServiceSpec, build_app, serve
from services.analytics.adapters import http_api, projection
from services.analytics.settings import AnalyticsSettings

SPEC = ServiceSpec(
    name="analytics",
    types=EventTypes([]),  # read models only: it records no events of its own
    domain_topic=None,
    context=lambda runtime: runtime.pool,
    subscriptions=lambda runtime, _: projection.subscriptions(runtime),
    routers=[http_api.router, http_api.reports_router],
    migrations=[Path(__file__).parent / "adapters" / "sql"],
)


def create_app(settings: AnalyticsSettings | None = None, spec: ServiceSpec[Any] = SPEC) -> FastAPI:
    return build_app(spec, settings or AnalyticsSettings())


if __name__ == "__main__":
    settings = AnalyticsSettings()
    serve(create_app(settings), settings)
