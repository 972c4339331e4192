"""Closure's durable timers (定时): warnings (预警), overdue marks (超期) and escalations (督办) as casekit jobs.

A timer is owed in the transaction that appends the event which sets its deadline, so it exists
exactly when the deadline does, survives restarts of Closure and of PostgreSQL, and fires once
even with several instances (ADR 0007: claimed under SKIP LOCKED, completed in the transaction
that appends its event). A deadline that moves (an extension, a resume) or stops (met, parked,
returned, voided) has its stage's timers cancelled in the same transaction and new ones owed.
Handlers decide against the current state anyway, so a timer that outlives its deadline fires
into nothing.

The invariant `follow` keeps: a stage has live timers only while its deadline runs
(`CaseClosure.running()`), so a stage that was not running before needs nothing cancelled.
A stage's escalation is owed when it is marked overdue, and again when its deadline moves while
it stays overdue and unescalated (a resume of a case parked while overdue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from casekit import jobs
from casekit.eventstore import Connection
from casekit.tracing import current_trace_headers
from schemas.base import Event
from schemas.closure import Deadline, DeadlineOverdue, Stage
from services.closure.domain.closure import CaseClosure
from services.closure.domain.deadlines import ClosureRules, timer_changes

QUEUE = "closure-timers"
ACTOR = "system:closure"
TimerKind = Literal["warn", "overdue", "escalate"]
Timer = tuple[TimerKind, Stage, datetime, datetime]
"""What to owe: kind, stage, the deadline's due instant (the timer's identity) and when it fires."""


def _key(kind: TimerKind, stage: Stage, case_id: UUID, due_at: datetime) -> str:
    return f"{kind}:{stage}:{case_id}:{due_at.isoformat()}"


def payload(kind: TimerKind, case_id: UUID, stage: Stage, due_at: datetime) -> dict[str, str]:
    return {"kind": kind, "case_id": str(case_id), "stage": stage, "due_at": due_at.isoformat()}


def job_of(kind: TimerKind, case_id: UUID, stage: Stage, due_at: datetime, fire_at: datetime) -> dict[str, Any]:
    """The timer as `enqueue_job` takes it, for SQL that owes timers itself (adapters/sql/003_timer_fired.sql)."""
    traceparent, _ = current_trace_headers()
    return {
        "queue": QUEUE, "payload": payload(kind, case_id, stage, due_at), "due_at": fire_at.isoformat(),
        "key": _key(kind, stage, case_id, due_at), "correlation_id": str(case_id), "traceparent": traceparent,
    }  # fmt: skip


async def schedule(
    conn: Connection, kind: TimerKind, case_id: UUID, stage: Stage, due_at: datetime, fire_at: datetime
) -> None:
    """Owe one timer in the caller's transaction; one live timer per (kind, stage, case, deadline)."""
    await jobs.enqueue(conn, QUEUE, payload(kind, case_id, stage, due_at), due_at=fire_at,
                       key=_key(kind, stage, case_id, due_at), correlation_id=case_id)  # fmt: skip


def owed(rules: ClosureRules, before: CaseClosure, after: CaseClosure, events: Sequence[Event]) -> tuple[
    list[Stage], list[Timer]
]:  # fmt: skip
    """The stages whose timers to cancel, and the timers to owe, when `events` took `before` to `after`."""
    cancel: list[Stage] = []
    owe: list[Timer] = []
    running_before = before.running()
    for change in timer_changes(running_before, after.running()):
        if change.stage in running_before:
            cancel.append(change.stage)
        if change.deadline is not None:
            owe.extend(_deadline_timers(rules, after, change.deadline))
    for event in events:
        if isinstance(event, DeadlineOverdue):
            deadline = after.running().get(event.stage)
            if deadline is not None and event.stage not in after.escalated:
                owe.append(("escalate", event.stage, deadline.due_at, rules.escalation_due(deadline)))
    return cancel, owe


def _deadline_timers(rules: ClosureRules, state: CaseClosure, deadline: Deadline) -> list[Timer]:
    stage, due = deadline.stage, deadline.due_at
    if stage in state.overdue:  # moved while overdue (a resume): only the escalation is still to come
        return [] if stage in state.escalated else [("escalate", stage, due, rules.escalation_due(deadline))]
    timers: list[Timer] = []
    if deadline.warn_at < due and stage not in state.warned:
        timers.append(("warn", stage, due, deadline.warn_at))
    timers.append(("overdue", stage, due, due))
    return timers


async def follow(
    conn: Connection, rules: ClosureRules, case_id: UUID, before: CaseClosure, after: CaseClosure,
    events: Sequence[Event],
) -> None:  # fmt: skip
    """Make the case's timers follow its running deadlines, in the caller's transaction."""
    cancel, owe = owed(rules, before, after, events)
    for stage in cancel:
        await jobs.cancel(conn, QUEUE, correlation_id=case_id, payload_contains={"stage": stage})
    for kind, stage, due_at, fire_at in owe:
        await schedule(conn, kind, case_id, stage, due_at, fire_at)
