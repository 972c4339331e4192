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
from schemas.hotline import HOTLINE_EVENTS
from schemas.intake import ReportLinked, ReportReceived
from schemas.patrol import PATROL_EVENTS
from services.intake.adapters import (
    contact_board,
    contacts_http,
    grid_watch_jobs,
    hotline_http,
    http_api,
    open311,
    patrol_http,
    projections,
    subscriptions,
    work_log_http,
)
from services.intake.adapters.callbacks import CallbackConfig, workers
from services.intake.adapters.callbacks_http import router_for
from services.intake.adapters.crypto import ContactCipher
from services.intake.adapters.hotline_jobs import HotlineConfig, SqlHotlineOutbox
from services.intake.adapters.hotline_jobs import workers as hotline_workers
from services.intake.adapters.officers import from_duty
from services.intake.adapters.patrol_metrics import PatrolMetrics
from services.intake.adapters.submissions import SqlSubmissions
from services.intake.adapters.views.grid_watches import SqlGridWatches
from services.intake.adapters.views.patrols import SqlPatrols
from services.intake.adapters.views.reports import SqlReports
from services.intake.application.context import Intake
from services.intake.application.patrol_ports import OfficerDirectory
from services.intake.domain.duplicates import DuplicatePolicy
from services.intake.settings import IntakeSettings

SQL = Path(__file__).parent / "adapters" / "sql"
MIGRATIONS = [SQL]


def spec_for(settings: IntakeSettings, city: City, officers: OfficerDirectory | None = None) -> ServiceSpec[Intake]:
    """`officers`: the duty assignments (定岗) patrols are checked against; the city's (duty.yaml) unless given."""
    cipher = ContactCipher(settings.pii_key.get_secret_value(), settings.pii_key_id)
    policy = DuplicatePolicy(settings.duplicate_distance_m, timedelta(minutes=settings.duplicate_window_minutes))
    callbacks = CallbackConfig.of(settings)
    hotline = HotlineConfig.of(settings)

    def context(runtime: Runtime) -> Intake:
        outbox = SqlHotlineOutbox(hotline)
        return Intake(
            runtime.store, SqlSubmissions(runtime.store), SqlReports(), city, cipher, policy, outbox,
            officers or from_duty(city.duty), SqlPatrols(), SqlGridWatches(),
            timedelta(minutes=settings.device_clock_skew_minutes), timedelta(hours=settings.patrol_longest_hours),
            PatrolMetrics(runtime.metrics.registry).observe,
        )  # fmt: skip

    return ServiceSpec(
        name="intake",
        types=EventTypes([ReportReceived, ReportLinked, *HOTLINE_EVENTS, *PATROL_EVENTS], UPCASTERS),
        domain_topic=topics.INTAKE_EVENTS.name,
        produces=(topics.HOTLINE_OUTBOUND.name,),
        context=context,
        subscriptions=subscriptions.subscriptions,
        routers=[
            router_for(callbacks),
            http_api.router,
            contacts_http.router,
            open311.router,
            hotline_http.router,
            contact_board.router,
            patrol_http.router,
            work_log_http.router,
        ],
        migrations=MIGRATIONS,
        startup=startup,
        background=lambda runtime, intake: [
            *workers(callbacks)(runtime),
            *hotline_workers(hotline)(runtime),
            *projections.rebuilders(runtime),
            *grid_watch_jobs.worker(settings.grid_watch_poll_seconds)(runtime, intake),
        ],
        responders={open311.PREFIX: open311.refused},
    )


async def startup(runtime: Runtime, intake: Intake) -> None:
    await projections.startup(runtime, intake)
    await grid_watch_jobs.seed(runtime, intake)  # 巡查督导: a check for each watched grid without one


def create_app(settings: IntakeSettings | None = None, officers: OfficerDirectory | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    city = load_city(settings.city_config)  # a broken city refuses to start, with the reason
    return build_app(spec_for(settings, city, officers), settings)


if __name__ == "__main__":
    settings = IntakeSettings()
    serve(create_app(settings), settings)
