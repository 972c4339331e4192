"""Liveness, readiness and Prometheus metrics, the same for every service."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casekit.logs import get_logger
from casekit.metrics import Metrics
from casekit.runtime import Runtime, RuntimeDep
from casekit.web.problems import problem
from casekit.web.responses import problem_response

router = APIRouter(tags=["operations"])
log = get_logger("casekit")


@router.get("/healthz", response_model=None, responses={503: problem_response(503, "A long-running task died")})
async def healthz(request: Request) -> Response | dict[str, str]:
    """Alive: the process answers and none of its long-running tasks died. Kubernetes restarts it when this fails."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime and runtime.failed:
        return problem(503, "task-died", _died(runtime.failed), request.url.path, tasks=runtime.failed)
    return {"status": "ok"}


def _died(failed: dict[str, str]) -> str:
    return "; ".join(f"{name} ended: {why}" for name, why in failed.items())


@router.get("/readyz", response_model=None, responses={503: problem_response(503, "Not ready, or a dependency down")})
async def readyz(request: Request, runtime: RuntimeDep) -> Response | dict[str, str]:
    """Ready for traffic: started, not shutting down, database and broker reachable."""
    if runtime.failed:
        return problem(503, "not-ready", _died(runtime.failed), request.url.path, tasks=runtime.failed)
    if not runtime.ready:
        return problem(503, "not-ready", "starting or shutting down", request.url.path)
    try:
        async with asyncio.timeout(2):
            await runtime.pool.fetchval("SELECT 1")
            if not await runtime.producer.client.force_metadata_update():
                raise ConnectionError("no broker answered a metadata request")
    except Exception as error:
        # The driver's message can name hosts, users or statements: logged, not answered (issue 9).
        log.warning("service.dependency_unreachable", error=repr(error))
        return problem(503, "not-ready", f"dependency unreachable: {type(error).__name__}", request.url.path)
    return {"status": "ready"}


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"description": "Prometheus text exposition", "content": {"text/plain": {}}}},
)
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus' text format, as its scrapers read it (documented so, not as JSON)."""
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """Counts and times every request by route template; plain ASGI (BaseHTTPMiddleware costs a task each)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.http_requests.labels(scope["method"], template, str(status)).inc()
            self.metrics.http_seconds.labels(scope["method"], template).observe(time.perf_counter() - started)


def add_request_metrics(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(RequestMetrics, metrics=metrics)
