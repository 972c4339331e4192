"""Intake's app factory and entry point: `python -m services.intake.main`."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from cityconfig.city import City, load_city
from schemas import topics
from schemas.catalog import UPCASTERS
from schemas.intake import ReportLinked, ReportReceived
from services.intake.adapters import http_api, kafka_handlers, open311
from services.intake.adapters.callbacks import CallbackConfig, workers
from services.intake.adapters.callbacks_http import router_for
from services.intake.adapters.crypto import ContactCipher
from services.intake.adapters.records import SqlReportRecords
from services.intake.application.commands import Intake
from services.intake.domain.duplicates import DuplicatePolicy
from services.intake.settings import IntakeSettings

SQL = Path(__file__).parent / "adapters" / "sql"


def spec_for(settings: IntakeSettings, city: City) -> ServiceSpec:
    cipher = ContactCipher(settings.pii_key.get_secret_value(), settings.pii_key_id)
    policy = DuplicatePolicy(settings.duplicate_distance_m, timedelta(minutes=settings.duplicate_window_minutes))
    callbacks = CallbackConfig.of(settings)

    def context(runtime: Runtime) -> Intake:
        return Intake(runtime.store, SqlReportRecords(runtime.pool), city, cipher, policy)

    return ServiceSpec(
        name="intake",
        types=EventTypes([ReportReceived, ReportLinked], UPCASTERS),
        domain_topic=topics.INTAKE_EVENTS.name,
        subscriptions=kafka_handlers.subscriptions,
        routers=[router_for(callbacks), http_api.router, open311.router],
        migrations=[SQL],
        context=context,
        background=workers(callbacks),
        nul_responders={open311.PREFIX: open311.nul_refusal},
    )


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    city = load_city(settings.city_config)  # a broken city refuses to start, with the reason
    return build_app(spec_for(settings, city), settings)


if __name__ == "__main__":
    settings = IntakeSettings()
    serve(create_app(settings), settings)
