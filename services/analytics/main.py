"""Analytics' app factory and entry point: `python -m services.analytics.main`."""

from pathlib import Path

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.service import ServiceSpec, build_app, serve
from cityconfig.city import City, load_city
from services.analytics.adapters import dashboard, http_api, http_figures, http_origin, http_patrols, projections
from services.analytics.adapters.duty_roster import roster_of
from services.analytics.application.context import Analytics
from services.analytics.settings import AnalyticsSettings

MIGRATIONS = [Path(__file__).parent / "adapters" / "sql"]


def spec_for(settings: AnalyticsSettings, city: City) -> ServiceSpec[Analytics]:
    return ServiceSpec(
        name="analytics",
        types=EventTypes([]),  # read models only: it records no events of its own
        domain_topic=None,
        context=lambda runtime: Analytics(runtime.pool, city, duty=roster_of(city.duty)),
        subscriptions=projections.subscriptions,
        routers=[
            http_api.router,
            http_api.reports_router,
            *http_figures.ROUTERS,
            http_origin.router,
            http_patrols.router,
            dashboard.areas_router,
            dashboard.page_router,
        ],
        migrations=MIGRATIONS,
        startup=projections.startup,
        background=projections.background,
    )


def create_app(settings: AnalyticsSettings | None = None, spec: ServiceSpec[Analytics] | None = None) -> FastAPI:
    settings = settings or AnalyticsSettings()
    app = build_app(spec or spec_for(settings, load_city(settings.city_config)), settings)
    dashboard.mount_bundle(app)  # a mount, not a route: FastAPI's routers carry no mounts
    return app


if __name__ == "__main__":
    settings = AnalyticsSettings()
    serve(create_app(settings), settings)
