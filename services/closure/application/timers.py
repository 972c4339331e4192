"""Closure's durable timers (定时): warnings (预警), overdue marks (超期) and escalations (督办) as casekit jobs.

A timer is owed in the transaction that appends the event which sets its deadline, so it exists
exactly when the deadline does, survives restarts of Closure and of PostgreSQL, and fires once
even with several instances (ADR 0007: claimed under SKIP LOCKED, completed in the transaction
that appends its event). A deadline that moves (an extension, a resume) or stops (met, parked,
returned, voided) has its stage's timers cancelled in the same transaction and new ones owed.
Handlers decide against the current state anyway, so a timer that outlives its deadline fires
into nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from uuid import UUID

from casekit import jobs
from casekit.eventstore import Connection
from schemas.closure import Deadline, Stage
from services.closure.domain.deadlines import TimerChange

QUEUE = "closure-timers"
ACTOR = "system:closure"
TimerKind = Literal["warn", "overdue", "escalate"]


def _key(kind: TimerKind, stage: Stage, case_id: UUID, due_at: datetime) -> str:
    return f"{kind}:{stage}:{case_id}:{due_at.isoformat()}"


async def schedule(
    conn: Connection, kind: TimerKind, case_id: UUID, stage: Stage, due_at: datetime, fire_at: datetime
) -> None:
    """Owe one timer in the caller's transaction; one live timer per (kind, stage, case, deadline)."""
    body = {"kind": kind, "case_id": str(case_id), "stage": stage, "due_at": due_at.isoformat()}
    await jobs.enqueue(conn, QUEUE, body, due_at=fire_at, key=_key(kind, stage, case_id, due_at),
                       correlation_id=case_id)  # fmt: skip


async def owe(conn: Connection, case_id: UUID, changes: Sequence[TimerChange]) -> None:
    """Make the case's timers follow its running deadlines: cancel a changed stage's, owe the new deadline's."""
    for change in changes:
        await jobs.cancel(conn, QUEUE, correlation_id=case_id, payload_contains={"stage": change.stage})
        if change.deadline is not None:
            await _owe_deadline(conn, case_id, change.deadline)


async def _owe_deadline(conn: Connection, case_id: UUID, deadline: Deadline) -> None:
    if deadline.warn_at < deadline.due_at:
        await schedule(conn, "warn", case_id, deadline.stage, deadline.due_at, deadline.warn_at)
    await schedule(conn, "overdue", case_id, deadline.stage, deadline.due_at, deadline.due_at)
