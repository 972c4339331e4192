"""Dispatch's app factory and entry point: `python -m services.dispatch.main`."""

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.service import ServiceSpec, build_app, serve
from schemas import topics
from schemas.dispatch import CaseRouted
from services.dispatch.adapters import kafka_handlers
from services.dispatch.settings import DispatchSettings

SPEC = ServiceSpec(
    name="dispatch",
    types=EventTypes([CaseRouted]),
    domain_topic=topics.DISPATCH_EVENTS.name,
    subscriptions=kafka_handlers.subscriptions,
)


def create_app(settings: DispatchSettings | None = None, spec: ServiceSpec = SPEC) -> FastAPI:
    return build_app(spec, settings or DispatchSettings())


if __name__ == "__main__":
    settings = DispatchSettings()
    serve(create_app(settings), settings)
