"""Dispatch's app factory and entry point: `python -m services.dispatch.main`."""

from pathlib import Path

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from cityconfig import City, CityConfigError, load_city
from schemas import topics
from schemas.dispatch import DISPATCH_EVENTS
from services.dispatch.adapters import http_api, jurisdictions_http, preview_http, subscriptions, summons_http
from services.dispatch.adapters.metrics import RoutingMetrics
from services.dispatch.adapters.timers import timer_worker
from services.dispatch.adapters.views.assignments import SqlAssignments
from services.dispatch.application.context import Dispatch
from services.dispatch.domain.assignment_rules import Rules
from services.dispatch.settings import DispatchSettings

MIGRATIONS = [Path(__file__).parent / "adapters" / "sql"]


def rules_of(city: City) -> Rules:
    """Dispatch cannot start without the city's unit and routing tables."""
    if city.units is None or city.routing is None:
        raise CityConfigError(city.path, "has no units.yaml and routing.yaml, which Dispatch needs to route cases")
    return Rules(city.units, city.routing, city.calendar)


def spec_for(settings: DispatchSettings, city: City) -> ServiceSpec[Dispatch]:
    rules = rules_of(city)

    def context(runtime: Runtime) -> Dispatch:
        metrics = RoutingMetrics(runtime.metrics.registry)
        return Dispatch(runtime.store, city, rules, SqlAssignments(), settings.report_in_minutes, metrics.observe)

    return ServiceSpec(
        name="dispatch",
        types=EventTypes(list(DISPATCH_EVENTS)),
        domain_topic=topics.DISPATCH_EVENTS.name,
        context=context,
        subscriptions=subscriptions.subscriptions,
        routers=[
            http_api.router,
            preview_http.router,
            summons_http.router,
            jurisdictions_http.router,
        ],
        migrations=MIGRATIONS,
        background=lambda runtime, dispatch: [timer_worker(runtime, dispatch, settings.timer_poll_seconds)],
    )


def create_app(settings: DispatchSettings | None = None, spec: ServiceSpec[Dispatch] | None = None) -> FastAPI:
    settings = settings or DispatchSettings()
    # A broken city, or one without units and routing, refuses to start, with the reason.
    spec = spec or spec_for(settings, load_city(settings.city_config))
    return build_app(spec, settings)


if __name__ == "__main__":
    settings = DispatchSettings()
    serve(create_app(settings), settings)
