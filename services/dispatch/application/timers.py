"""Dispatch's durable timers (定时): jobs on casekit's queue, due at an instant, fired in a transaction.

A timer is owed in the transaction that appends the event which sets its deadline, so it exists
exactly when the deadline does, survives restarts, and fires once (ADR 0007). Handlers are keyed
by the payload's `kind`; each decides against the current state, so a timer whose deadline was
met fires into nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from casekit import jobs
from casekit.eventstore import Connection

QUEUE = "dispatch-timers"
ACTOR = "system:dispatch"

TimerHandler = Callable[[Mapping[str, Any], Any, Connection], Awaitable[None]]
"""(payload, the Dispatch context, the job's transaction)."""


async def schedule(conn: Connection, kind: str, case_id: UUID, due_at: datetime, key: str, **payload: Any) -> None:
    """Owe a timer in the caller's transaction; one live timer per `key`."""
    body = {"kind": kind, "case_id": str(case_id), **payload}
    await jobs.enqueue(conn, QUEUE, body, due_at=due_at, key=f"{kind}:{key}", correlation_id=case_id)
