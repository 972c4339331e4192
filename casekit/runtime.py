"""What a running service holds: its pool, store, producer, metrics, readiness and typed context."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import Depends, Request

from casekit.eventstore import EventStore
from casekit.metrics import Metrics
from casekit.settings import ServiceSettings

C = TypeVar("C")


@dataclass
class Runtime:
    name: str
    settings: ServiceSettings
    pool: asyncpg.Pool
    store: EventStore
    producer: AIOKafkaProducer
    metrics: Metrics
    ready: bool = False
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    """The service's long-running tasks (relay, consumers, workers) by name."""
    failed: dict[str, str] = field(default_factory=dict)
    """Tasks that ended on their own while the service ran, and why: the service is then unready."""

    @property
    def healthy(self) -> bool:
        return self.ready and not self.failed


async def current_runtime(request: Request) -> Runtime:
    """Async, so FastAPI does not hand every request to a worker thread to read app state."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(current_runtime)]


def context_of(kind: type[C]) -> Callable[[Request], Awaitable[C]]:
    """A FastAPI dependency for a service's typed context (`ServiceSpec.context` builds it once).

    Each service declares `XDep = Annotated[X, Depends(context_of(X))]` in adapters/deps.py.
    """

    async def dependency(request: Request) -> C:
        context: C = request.app.state.context
        return context

    dependency.__name__ = f"{kind.__name__.lower()}_context"
    return dependency
