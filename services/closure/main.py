"""Closure's app factory and entry point: `python -m services.closure.main`."""

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.service import ServiceSpec, build_app, serve
from schemas import topics
from schemas.closure import ClosureOpened
from services.closure.adapters import kafka_handlers
from services.closure.settings import ClosureSettings

SPEC = ServiceSpec(
    name="closure",
    types=EventTypes([ClosureOpened]),
    domain_topic=topics.CLOSURE_EVENTS.name,
    subscriptions=kafka_handlers.subscriptions,
)


def create_app(settings: ClosureSettings | None = None, spec: ServiceSpec = SPEC) -> FastAPI:
    return build_app(spec, settings or ClosureSettings())


if __name__ == "__main__":
    settings = ClosureSettings()
    serve(create_app(settings), settings)
