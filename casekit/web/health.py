"""Liveness, readiness and Prometheus metrics, the same for every service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from casekit.metrics import Metrics
from casekit.runtime import RuntimeDep
from casekit.web.problems import problem

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive: the process answers. Kubernetes restarts it when this fails."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request, runtime: RuntimeDep) -> Response | dict[str, str]:
    """Ready for traffic: started, not shutting down, database and broker reachable."""
    if not runtime.ready:
        return problem(503, "not-ready", "starting or shutting down", request.url.path)
    try:
        async with asyncio.timeout(2):
            await runtime.pool.fetchval("SELECT 1")
            if not await runtime.producer.client.force_metadata_update():
                raise ConnectionError("no broker answered a metadata request")
    except Exception as error:
        return problem(503, "not-ready", f"dependency unreachable: {error!r}", request.url.path)
    return {"status": "ready"}


@router.get("/metrics")
async def metrics(runtime: RuntimeDep) -> Response:
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def add_request_metrics(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        metrics.http_requests.labels(request.method, template, str(response.status_code)).inc()
        metrics.http_seconds.labels(request.method, template).observe(time.perf_counter() - started)
        return response
