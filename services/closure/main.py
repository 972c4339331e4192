"""Closure's app factory and entry point: `python -m services.closure.main`."""

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from schemas import topics
from schemas.closure import ClosureOpened
from services.closure.adapters import subscriptions
from services.closure.application.context import Closure
from services.closure.settings import ClosureSettings


def context(runtime: Runtime) -> Closure:
    return Closure(runtime.store)


SPEC = ServiceSpec(
    name="closure",
    types=EventTypes([ClosureOpened]),
    domain_topic=topics.CLOSURE_EVENTS.name,
    context=context,
    subscriptions=subscriptions.subscriptions,
)


def create_app(settings: ClosureSettings | None = None, spec: ServiceSpec[Closure] = SPEC) -> FastAPI:
    return build_app(spec, settings or ClosureSettings())


if __name__ == "__main__":
    settings = ClosureSettings()
    serve(create_app(settings), settings)
