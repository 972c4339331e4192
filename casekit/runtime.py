"""What a running service holds: its pool, store, producer, metrics and readiness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import Depends, Request

from casekit.eventstore import EventStore
from casekit.metrics import Metrics
from casekit.settings import ServiceSettings


@dataclass
class Runtime:
    name: str
    settings: ServiceSettings
    pool: asyncpg.Pool
    store: EventStore
    producer: AIOKafkaProducer
    metrics: Metrics
    ready: bool = False
    context: Any = None
    """The service's own wiring (its use cases' dependencies), from `ServiceSpec.context`."""


async def current_runtime(request: Request) -> Runtime:
    """Async, so FastAPI does not hand every request to a worker thread to read app state."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(current_runtime)]
