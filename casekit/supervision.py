"""Long-running tasks (relay, consumers, workers) watched: one that ends on its own is never silent.

A task that dies while the service runs (a consumer whose dead-letter publish failed, a worker's
bug) would leave `/readyz` green and its gauges frozen. Instead it is logged with its error,
counted, and recorded in `Runtime.failed`: `/readyz` and `/healthz` answer 503 naming it, so
Kubernetes takes the pod out of service and restarts it (with its own backoff).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

from casekit.runtime import Runtime


class Supervisor:
    def __init__(self, runtime: Runtime, log: structlog.stdlib.BoundLogger) -> None:
        self.runtime = runtime
        self.log = log
        self.stopping = False

    def start(self, name: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work, name=name)
        self.runtime.tasks[name] = task
        task.add_done_callback(self._ended)
        return task

    def _ended(self, task: asyncio.Task[None]) -> None:
        if self.stopping:
            return  # shutting down: tasks end because we asked them to
        why = "cancelled" if task.cancelled() else repr(task.exception()) if task.exception() else "returned"
        self.runtime.failed[task.get_name()] = why
        self.runtime.metrics.tasks_died.labels(task.get_name()).inc()
        error = None if task.cancelled() else task.exception()
        self.log.error("service.task_died", task=task.get_name(), reason=why, exc_info=error)

    async def wait(self) -> None:
        await asyncio.gather(*self.runtime.tasks.values(), return_exceptions=True)
