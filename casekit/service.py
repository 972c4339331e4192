"""One way to assemble and run a service: lifespan, relay, consumers, routes, SIGTERM.

Startup: migrate, connect, start the relay and consumers, then report ready.
Shutdown (SIGTERM/SIGINT): not ready first, stop taking work, let in-flight handlers
finish and commit their offsets, stop the relay, close the producer and the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Generic, Protocol, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from casekit.access import admin_http
from casekit.access.wiring import access_for, declare_refusals, operation_id
from casekit.db import create_pool, migrate
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Consumer, Subscription
from casekit.kafka.producer import create_producer
from casekit.logs import get_logger, setup_logging
from casekit.metrics import Metrics
from casekit.outbox import AfterPublish, Relay
from casekit.runtime import Runtime
from casekit.settings import ServiceSettings
from casekit.supervision import Supervisor
from casekit.tracing import setup_tracing
from casekit.web.guards import install_guards
from casekit.web.health import add_request_metrics
from casekit.web.health import router as health_router
from casekit.web.limits import HttpLimits
from casekit.web.refusals import Responder


class Worker(Protocol):
    async def run(self) -> None: ...

    async def stop(self) -> None: ...


C = TypeVar("C")


def _none(runtime: Runtime, context: Any) -> Sequence[Any]:
    return ()


@dataclass(frozen=True)
class ServiceSpec(Generic[C]):
    """Everything that makes one service different from another; `C` is its typed context."""

    name: str
    types: EventTypes
    """The event types in this service's own store."""
    domain_topic: str | None
    """Where the relay publishes this service's events; None for read-model-only services."""
    context: Callable[[Runtime], C]
    """Builds the service's own dependencies once the pool and store exist (application/context.py)."""
    subscriptions: Callable[[Runtime, C], Sequence[Subscription]] = _none
    produces: Sequence[str] = ()
    """Other topics its background workers publish to (Intake's messages to the 12345 hotline)."""
    routers: Sequence[APIRouter] = ()
    migrations: Sequence[Path] = ()
    startup: Callable[[Runtime, C], Awaitable[None]] | None = None
    """Runs once the pool and context exist, before the consumers and routes (e.g. projection tables)."""
    background: Callable[[Runtime, C], Sequence[Worker]] = _none
    """Extra long-running workers (e.g. callbacks), started after the consumers, stopped before them."""
    responders: Mapping[str, Responder] = field(default_factory=dict)
    """Per path prefix, how a refusal is answered there (default: problem+json): casekit.web.refusals."""
    relay_after_publish: AfterPublish | None = field(default=None)
    """Fault injection for tests: runs between publishing and recording the position."""


def build_app(spec: ServiceSpec[C], settings: ServiceSettings) -> FastAPI:
    setup_logging(settings.log_level)
    setup_tracing(spec.name)
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
    metrics = Metrics()
    log = get_logger(spec.name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(settings.database_url, settings.db_schema, spec.migrations)
        pool = await create_pool(settings.database_url, settings.db_schema, max_size=settings.db_pool_size)
        producer = create_producer(settings.kafka, spec.name)
        await producer.start()
        runtime = Runtime(spec.name, settings, pool, EventStore(pool, spec.types, metrics), producer, metrics)
        app.state.runtime = runtime
        app.state.access = access_for(spec.name, settings, pool)
        context = app.state.context = spec.context(runtime)
        if spec.startup:
            await spec.startup(runtime, context)
        relay = consumers = None
        workers: list[Worker] = []
        supervisor = Supervisor(runtime, log)
        try:
            if spec.domain_topic:
                relay = Relay(
                    name=spec.name,
                    store=runtime.store,
                    producer=producer,
                    topic=settings.topic(spec.domain_topic),
                    source=f"/city-cases/{spec.name}",
                    metrics=metrics,
                    idle_seconds=settings.relay_idle_seconds,
                    busy_seconds=settings.relay_busy_seconds,
                    after_publish=spec.relay_after_publish,
                )
                supervisor.start(f"{spec.name}-relay", relay.run())
            consumers = [
                Consumer(
                    sub,
                    kafka=settings.kafka,
                    pool=pool,
                    producer=producer,
                    metrics=metrics,
                    service=spec.name,
                    commit_seconds=settings.consumer_commit_seconds,
                )
                for sub in spec.subscriptions(runtime, context)
            ]
            for consumer in consumers:
                await consumer.start()
                supervisor.start(f"{spec.name}-{consumer.sub.group}", consumer.run())
            workers = list(spec.background(runtime, context))
            for worker in workers:
                supervisor.start(f"{spec.name}-{type(worker).__name__}", worker.run())
            runtime.ready = True
            log.info("service.started", port=settings.port, schema=settings.db_schema)
            yield
        finally:
            runtime.ready = False
            supervisor.stopping = True
            for worker in workers:
                await worker.stop()
            for consumer in consumers or ():
                await consumer.stop()
            if relay:
                await relay.stop()
            await supervisor.wait()
            await producer.stop()
            await pool.close()
            log.info("service.stopped")

    app = FastAPI(
        title=f"city-cases {spec.name}", lifespan=lifespan, generate_unique_id_function=operation_id(spec.name)
    )
    install_guards(app, HttpLimits.of(settings), spec.responders)  # inside the metrics: refusals counted
    add_request_metrics(app, metrics)
    app.include_router(health_router)
    for router in (*spec.routers, admin_http.router):
        app.include_router(router)
    declare_refusals(app, spec.name)
    # One server span per request, with the database and Kafka spans under it; the per-chunk
    # `receive`/`send` spans said nothing and cost Intake a fifth of its throughput (ADR 0008).
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"])
    return app


class _Server(uvicorn.Server):
    """uvicorn, but readiness turns false before it stops taking connections."""

    def __init__(self, config: uvicorn.Config, app: FastAPI, drain_seconds: float) -> None:
        super().__init__(config)
        self.app = app
        self.drain_seconds = drain_seconds

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after a graceful stop, so the process dies by it;
        # a clean stop should exit 0.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        runtime: Runtime | None = getattr(self.app.state, "runtime", None)
        if runtime:
            runtime.ready = False
        if self.drain_seconds and not self.should_exit:
            asyncio.get_running_loop().call_later(self.drain_seconds, super().handle_exit, sig, frame)
        else:
            super().handle_exit(sig, frame)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    # loop/http "auto" pick uvloop and httptools (pinned) when present.
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, timeout_graceful_shutdown=20
    )
    _Server(config, app, settings.drain_seconds).run()
