"""Closure's app factory and entry point: `python -m services.closure.main`."""

from pathlib import Path

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from cityconfig import City, load_city
from cityconfig.routing_table import parse_limit
from schemas import topics
from schemas.closure import CLOSURE_EVENTS
from schemas.dispatch import StageLimits, Urgency
from services.closure.adapters import calendar_http, hotline_http, http_api, subscriptions
from services.closure.adapters.metrics import ClosureMetrics
from services.closure.adapters.timers import timer_worker
from services.closure.adapters.views.case_numbers import SqlCaseNumbers
from services.closure.adapters.views.cases import SqlCases
from services.closure.application.context import Closure
from services.closure.domain.deadlines import ClosureRules
from services.closure.settings import ClosureSettings

MIGRATIONS = [Path(__file__).parent / "adapters" / "sql"]


def rules_of(settings: ClosureSettings, city: City) -> ClosureRules:
    routing = city.routing

    def limits_for(category_code: str | None, urgency: Urgency | None) -> StageLimits | None:
        rule = routing.rule_for(category_code) if routing and category_code else None
        return rule.limits.get(urgency or "normal") if rule else None

    return ClosureRules(city.calendar, settings.warn_share, parse_limit(settings.escalate_after), limits_for)


def spec_for(settings: ClosureSettings, city: City) -> ServiceSpec[Closure]:
    rules = rules_of(settings, city)

    def context(runtime: Runtime) -> Closure:
        metrics = ClosureMetrics(runtime.metrics.registry)
        return Closure(runtime.store, city, rules, SqlCases(), SqlCaseNumbers(), metrics.observe)

    return ServiceSpec(
        name="closure",
        types=EventTypes(list(CLOSURE_EVENTS)),
        domain_topic=topics.CLOSURE_EVENTS.name,
        context=context,
        subscriptions=subscriptions.subscriptions,
        routers=[http_api.router, hotline_http.router, calendar_http.router],
        migrations=MIGRATIONS,
        background=lambda runtime, closure: [
            timer_worker(runtime, closure, settings.timer_poll_seconds, settings.timer_concurrency)
        ],
    )


def create_app(settings: ClosureSettings | None = None, spec: ServiceSpec[Closure] | None = None) -> FastAPI:
    settings = settings or ClosureSettings()
    spec = spec or spec_for(settings, load_city(settings.city_config))
    return build_app(spec, settings)


if __name__ == "__main__":
    settings = ClosureSettings()
    serve(create_app(settings), settings)
