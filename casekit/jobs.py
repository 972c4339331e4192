"""Durable jobs (延时任务): the queue's tables and every statement on them (ADR 0007).

A job is due at an instant; a worker claims it under a lease (FOR UPDATE SKIP LOCKED, so
replicas claim disjoint work), runs it, and settles it: done, or failed and due again after a
backoff, or given up with its record. Every attempt is a row of `job_attempts`. A worker that
dies leaves its job `running` until the lease expires; `reap_expired` then makes it due again.
Jobs of one order key run one at a time, in the order they were enqueued (see `enqueue_job`
in sql/002_jobs.sql). The worker loop is casekit/jobs_worker.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg
import orjson

from casekit.eventstore import Connection
from casekit.tracing import current_trace_headers

JobState = Literal["pending", "running", "done", "given_up", "cancelled"]
LIVE: tuple[JobState, ...] = ("pending", "running")


class LeaseLost(Exception):
    """The job was reclaimed after this worker's lease expired, or cancelled: settle nothing."""


@dataclass(frozen=True)
class Limits:
    """When a failing job is given up, unless the job carries its own limits."""

    max_attempts: int | None = 10
    give_up_after: timedelta | None = None
    """Measured from the job's creation; the last retry is due exactly then."""


@dataclass(frozen=True)
class Job:
    """A job as its handler sees it: claimed, under a lease, at attempt `attempt` (from 1)."""

    id: int
    queue: str
    key: str | None
    order_key: str | None
    correlation_id: UUID | None
    payload: dict[str, Any]
    attempt: int
    lease_token: UUID = field(repr=False)
    due_at: datetime
    created_at: datetime
    traceparent: str | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> Job:
        return cls(
            row["id"], row["queue"], row["key"], row["order_key"], row["correlation_id"], orjson.loads(row["payload"]),
            row["attempts"], row["lease_token"], row["due_at"], row["created_at"], row["traceparent"],
        )  # fmt: skip


@dataclass(frozen=True)
class AttemptRecord:
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: Literal["done", "failed", "lease_expired"] | None
    """None while the attempt is in flight."""
    error: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class JobRecord:
    """A job with every attempt so far, for operators and for APIs that show delivery history."""

    id: int
    queue: str
    key: str | None
    order_key: str | None
    correlation_id: UUID | None
    payload: dict[str, Any]
    state: JobState
    due_at: datetime
    attempts: list[AttemptRecord]
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record, attempts: list[AttemptRecord]) -> JobRecord:
        return cls(
            row["id"], row["queue"], row["key"], row["order_key"], row["correlation_id"], orjson.loads(row["payload"]),
            row["state"], row["due_at"], attempts, row["last_error"], row["created_at"], row["finished_at"],
        )  # fmt: skip


ENQUEUE = "SELECT enqueue_job($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9)"

# The head of each order key only; locked without waiting for other workers; leased by the
# token and `leased_until`; the attempt is opened in the same statement.
CLAIM = """WITH due AS (
        SELECT j.id FROM jobs j
        WHERE j.queue = $1 AND j.state = 'pending' AND j.due_at <= now()
          AND (j.order_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM jobs e
              WHERE e.queue = j.queue AND e.order_key = j.order_key AND e.state IN ('pending', 'running')
                AND e.id < j.id))
        ORDER BY j.due_at, j.id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
            leased_until = now() + $3::interval
        FROM due WHERE j.id = due.id
        RETURNING j.id, j.queue, j.key, j.order_key, j.correlation_id, j.payload::text AS payload, j.attempts,
            j.lease_token, j.due_at, j.created_at, j.traceparent
    ), opened AS (
        INSERT INTO job_attempts (job_id, attempt, started_at) SELECT id, attempts, now() FROM claimed
    )
    SELECT * FROM claimed ORDER BY due_at, id"""


def _give_up(max_attempts: str, give_up_after: str) -> str:
    """SQL: has the job run out of attempts or time (its own limits first, then the policy's)?"""
    return f"""(attempts >= coalesce(max_attempts, {max_attempts}::integer, 2147483647)
        OR now() >= coalesce(give_up_at, created_at + {give_up_after}::interval, 'infinity'))"""


def _deadline(give_up_after: str) -> str:
    return f"coalesce(give_up_at, created_at + {give_up_after}::interval, 'infinity')"


REAP = f"""WITH expired AS (
        SELECT id FROM jobs WHERE queue = $1 AND state = 'running' AND leased_until <= now()
        FOR UPDATE SKIP LOCKED
    ), closed AS (
        UPDATE job_attempts a SET finished_at = now(), outcome = 'lease_expired', error = 'lease expired'
        FROM jobs j JOIN expired USING (id)
        WHERE a.job_id = j.id AND a.attempt = j.attempts AND a.finished_at IS NULL
    )
    UPDATE jobs j SET lease_token = NULL, leased_until = NULL,
        last_error = 'lease expired: the worker stopped or lost its connection mid-job',
        state = CASE WHEN {_give_up("$2", "$3")} THEN 'given_up' ELSE 'pending' END,
        finished_at = CASE WHEN {_give_up("$2", "$3")} THEN now() END,
        due_at = CASE WHEN {_give_up("$2", "$3")} THEN j.due_at ELSE now() END
    FROM expired WHERE j.id = expired.id
    RETURNING j.id, j.state, j.correlation_id"""

# The attempt is recorded whoever holds the job now; only the lease holder settles the job.
_CLOSE_ATTEMPT = """WITH attempt AS (
        UPDATE job_attempts SET finished_at = now(), outcome = $4, error = $5, detail = $6::jsonb
        WHERE job_id = $1 AND attempt = $3 AND finished_at IS NULL
    )"""
COMPLETE = "SELECT complete_job($1, $2, $3, $4::jsonb)"
"""sql/006_complete_job.sql: the attempt closed, and the job done if the caller still holds its lease."""
# A retry is never due after the give-up time, so the last one falls exactly on it.
FAIL = f"""{_CLOSE_ATTEMPT}
    UPDATE jobs SET lease_token = NULL, leased_until = NULL, last_error = $5,
        state = CASE WHEN $7 OR {_give_up("$8", "$9")} THEN 'given_up' ELSE 'pending' END,
        finished_at = CASE WHEN $7 OR {_give_up("$8", "$9")} THEN now() END,
        due_at = CASE WHEN $7 OR {_give_up("$8", "$9")} THEN due_at
                      ELSE least(now() + $10::interval, {_deadline("$9")}) END
    WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING state"""

_FILTER = """queue = $1 AND ($2::text IS NULL OR key = $2) AND ($3::text IS NULL OR order_key = $3)
    AND ($4::uuid IS NULL OR correlation_id = $4) AND ($5::jsonb IS NULL OR payload @> $5::jsonb)
    AND ($6::text[] IS NULL OR state = ANY($6))"""
CANCEL = f"""UPDATE jobs SET state = 'cancelled', lease_token = NULL, leased_until = NULL, finished_at = now()
    WHERE {_FILTER} AND state IN ('pending', 'running') RETURNING id"""
FIND = f"""SELECT id, queue, key, order_key, correlation_id, payload::text AS payload, state, due_at, last_error,
        created_at, finished_at FROM jobs
    WHERE {_FILTER} ORDER BY id DESC LIMIT $7"""
ATTEMPTS = """SELECT job_id, attempt, started_at, finished_at, outcome, error, detail::text AS detail FROM job_attempts
    WHERE job_id = ANY($1) ORDER BY job_id, attempt"""
BACKLOG = """SELECT count(*),
        extract(epoch FROM now() - min(due_at) FILTER (WHERE state = 'pending' AND due_at <= now()))
    FROM jobs WHERE queue = $1 AND state IN ('pending', 'running')"""


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def enqueue(
    conn: Connection,
    queue: str,
    payload: Mapping[str, Any],
    *,
    due_at: datetime | None = None,
    key: str | None = None,
    order_key: str | None = None,
    correlation_id: UUID | None = None,
    max_attempts: int | None = None,
    give_up_at: datetime | None = None,
) -> int:
    """Owe a job, in the caller's transaction (it exists only if that commits); due now by default.

    Returns its id, or the id of the live job of the queue already holding `key`. In a
    transaction that appends events, enqueue after the append (an append must be the first
    write of its transaction, ADR 0002). SQL can call `enqueue_job(...)` itself (a trigger).
    """
    traceparent, _ = current_trace_headers()
    job_id: int = await conn.fetchval(
        ENQUEUE, queue, _json(payload), due_at, key, order_key, correlation_id, max_attempts, give_up_at, traceparent
    )
    return job_id


async def claim(conn: Connection, queue: str, limit: int, lease: timedelta) -> list[Job]:
    """Up to `limit` due jobs, now leased to the caller until `lease` from now."""
    return [Job.of(row) for row in await conn.fetch(CLAIM, queue, limit, lease)]


async def reap_expired(conn: Connection, queue: str, limits: Limits) -> list[asyncpg.Record]:
    """Jobs whose worker's lease ran out: due again now, or given up if out of attempts or time."""
    return list(await conn.fetch(REAP, queue, limits.max_attempts, limits.give_up_after))


async def complete(conn: Connection, job: Job, detail: Mapping[str, Any] | None = None) -> None:
    """Mark the job done, in the caller's transaction (after a timer's append: the same one).

    Raises LeaseLost if another worker has reclaimed it or it was cancelled; roll back then.
    """
    done = await conn.fetchval(COMPLETE, job.id, job.lease_token, job.attempt, _json(detail))
    if not done:
        raise LeaseLost(f"job {job.id} of {job.queue} is no longer leased to this worker")


async def fail(
    conn: Connection,
    job: Job,
    error: str,
    *,
    retry_in: timedelta,
    limits: Limits,
    detail: Mapping[str, Any] | None = None,
    final: bool = False,
) -> JobState | None:
    """Record a failed attempt: due again after `retry_in`, or given up (always when `final`).

    Returns the job's new state; None if the lease was lost (the attempt is recorded anyway).
    """
    state: JobState | None = await conn.fetchval(
        FAIL, job.id, job.lease_token, job.attempt, "failed", error[:2000], _json(detail), final,
        limits.max_attempts, limits.give_up_after, retry_in,
    )  # fmt: skip
    return state


async def cancel(
    conn: Connection,
    queue: str,
    *,
    key: str | None = None,
    order_key: str | None = None,
    correlation_id: UUID | None = None,
    payload_contains: Mapping[str, Any] | None = None,
) -> list[int]:
    """Cancel the live jobs that match every given filter; a running one's outcome is then ignored."""
    if key is None and order_key is None and correlation_id is None and payload_contains is None:
        raise ValueError("cancel needs at least one filter")
    rows = await conn.fetch(CANCEL, queue, key, order_key, correlation_id, _json(payload_contains), None)
    return [row[0] for row in rows]


async def find_jobs(
    conn: Connection,
    queue: str,
    *,
    key: str | None = None,
    order_key: str | None = None,
    correlation_id: UUID | None = None,
    payload_contains: Mapping[str, Any] | None = None,
    states: Sequence[JobState] | None = None,
    limit: int = 100,
) -> list[JobRecord]:
    """The queue's jobs matching every given filter, newest first, each with its attempts."""
    states_arg = list(states) if states is not None else None
    rows = await conn.fetch(FIND, queue, key, order_key, correlation_id, _json(payload_contains), states_arg, limit)
    attempts: dict[int, list[AttemptRecord]] = {}
    for a in await conn.fetch(ATTEMPTS, [row["id"] for row in rows]):
        detail = orjson.loads(a["detail"]) if a["detail"] is not None else None
        record = AttemptRecord(a["attempt"], a["started_at"], a["finished_at"], a["outcome"], a["error"], detail)
        attempts.setdefault(a["job_id"], []).append(record)
    return [JobRecord.of(row, attempts.get(row["id"], [])) for row in rows]


async def backlog(conn: Connection, queue: str) -> tuple[int, float]:
    """Live jobs of the queue, and how long the oldest due one has waited (0 when none is due)."""
    row = await conn.fetchrow(BACKLOG, queue)
    assert row is not None  # an aggregate always returns a row
    return int(row[0]), float(row[1] or 0.0)
