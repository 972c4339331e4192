"""Dispatch's app factory and entry point: `python -m services.dispatch.main`."""

from fastapi import FastAPI

from casekit.eventtypes import EventTypes
from casekit.runtime import Runtime
from casekit.service import ServiceSpec, build_app, serve
from schemas import topics
from schemas.dispatch import CaseRouted
from services.dispatch.adapters import jurisdictions_http, subscriptions
from services.dispatch.application.context import Dispatch
from services.dispatch.settings import DispatchSettings


def context(runtime: Runtime) -> Dispatch:
    return Dispatch(runtime.store)


SPEC = ServiceSpec(
    name="dispatch",
    types=EventTypes([CaseRouted]),
    domain_topic=topics.DISPATCH_EVENTS.name,
    context=context,
    subscriptions=subscriptions.subscriptions,
    routers=[jurisdictions_http.router],
)


def create_app(settings: DispatchSettings | None = None, spec: ServiceSpec[Dispatch] = SPEC) -> FastAPI:
    return build_app(spec, settings or DispatchSettings())


if __name__ == "__main__":
    settings = DispatchSettings()
    serve(create_app(settings), settings)
