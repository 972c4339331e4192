"""Analytics' app factory and entry point: `python -m services.analytics.main`."""

from pathlib import Path

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from services.analytics.adapters import dashboard, http_api, projections
from services.analytics.application.context import Analytics
from services.analytics.settings import AnalyticsSettings

MIGRATIONS = [Path(__file__).parent / "adapters" / "sql"]


def context(runtime: Runtime) -> Analytics:
    return Analytics(runtime.pool)


SPEC = ServiceSpec(
    name="analytics",
    types=EventTypes([]),  # read models only: it records no events of its own
    domain_topic=None,
    context=context,
    subscriptions=projections.subscriptions,
    routers=[http_api.router, http_api.reports_router, dashboard.areas_router, dashboard.page_router],
    migrations=MIGRATIONS,
    startup=projections.startup,
    background=projections.background,
)


def create_app(settings: AnalyticsSettings | None = None, spec: ServiceSpec[Analytics] = SPEC) -> FastAPI:
    app = build_app(spec, settings or AnalyticsSettings())
    dashboard.mount_bundle(app)  # a mount, not a route: FastAPI's routers carry no mounts
    return app


if __name__ == "__main__":
    settings = AnalyticsSettings()
    serve(create_app(settings), settings)
