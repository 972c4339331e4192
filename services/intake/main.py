"""Intake's app factory and entry point: `python -m services.intake.main`."""

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.service import ServiceSpec, build_app, serve
from schemas import topics
from schemas.catalog import UPCASTERS
from schemas.intake import ReportReceived
from services.intake.adapters import http_api, kafka_handlers
from services.intake.settings import IntakeSettings

SPEC = ServiceSpec(
    name="intake",
    types=EventTypes([ReportReceived], UPCASTERS),
    domain_topic=topics.INTAKE_EVENTS.name,
    subscriptions=kafka_handlers.subscriptions,
    routers=[http_api.router],
)


def create_app(settings: IntakeSettings | None = None, spec: ServiceSpec = SPEC) -> FastAPI:
    return build_app(spec, settings or IntakeSettings())


if __name__ == "__main__":
    settings = IntakeSettings()
    serve(create_app(settings), settings)
