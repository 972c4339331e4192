"""Callbacks' storage: the subscriptions (the one owner of their SQL) and the deliveries, which
are casekit durable jobs of the `callbacks` queue (sql/004_callbacks_on_jobs.sql)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from casekit import jobs
from casekit.eventstore import Connection
from casekit.jobs import AttemptRecord, JobRecord, JobState

QUEUE = "callbacks"
DeliveryState = Literal["pending", "delivered", "given_up", "cancelled"]
_JOB_STATES: dict[DeliveryState, tuple[JobState, ...]] = {
    "pending": ("pending", "running"),
    "delivered": ("done",),
    "given_up": ("given_up",),
    "cancelled": ("cancelled",),
}
_DELIVERY_STATE: dict[JobState, DeliveryState] = {
    job_state: state for state, job_states in _JOB_STATES.items() for job_state in job_states
}


def delivery_state(job_state: JobState) -> DeliveryState:
    """A job's state as a delivery's (the hotline's messages show theirs the same way)."""
    return _DELIVERY_STATE[job_state]


SUBSCRIBE = """INSERT INTO callback_subscriptions (id, channel, url, secret, owner) VALUES ($1, $2, $3, $4, $5)
    RETURNING id, channel, url, created_at"""
ACTIVE = """SELECT id, channel, url, created_at FROM callback_subscriptions
    WHERE deleted_at IS NULL AND ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR owner = $2)
    ORDER BY created_at, id"""
OWNER = "SELECT coalesce(owner, '') FROM callback_subscriptions WHERE id = $1 AND deleted_at IS NULL"
# FOR UPDATE waits for status changes owing this subscription a delivery (their trigger holds
# FOR KEY SHARE), so the cancel after it also sees the deliveries they committed.
LOCK = "SELECT 1 FROM callback_subscriptions WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
UNSUBSCRIBE = "UPDATE callback_subscriptions SET deleted_at = now() WHERE id = $1"
# What a receiver is told about one status change, read when it is attempted.
NOTIFICATION = """SELECT s.url, s.secret, r.case_id, r.case_number, r.channel, r.external_id, r.expected_at,
        sc.id AS sequence, sc.status, sc.note, sc.changed_at,
        (SELECT p.unit_name FROM status_changes p
         WHERE p.case_id = sc.case_id AND p.id <= sc.id AND p.unit_name IS NOT NULL
         ORDER BY p.id DESC LIMIT 1) AS agency_responsible
    FROM status_changes sc
    JOIN callback_subscriptions s ON s.id = $1
    JOIN reports r ON r.case_id = sc.case_id
    WHERE sc.id = $2"""


@dataclass(frozen=True)
class Subscription:
    id: UUID
    channel: str
    url: str
    created_at: datetime


@dataclass(frozen=True)
class Notification:
    """One status change as a subscriber receives it, with where and how to sign it."""

    url: str
    secret: str = field(repr=False)
    case_id: UUID
    channel: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Attempt:
    at: datetime
    http_status: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, record: AttemptRecord) -> Attempt:
        detail = record.detail or {}
        http_status = detail.get("http_status")
        finished = record.finished_at or record.started_at
        duration_ms = detail.get("duration_ms", round((finished - record.started_at).total_seconds() * 1000))
        # A refusal is told by its status; the error is for when no answer came (or the lease ran out).
        return cls(record.started_at, http_status, record.error if http_status is None else None, duration_ms)


@dataclass(frozen=True)
class Delivery:
    """One status change owed to one subscriber, with every finished attempt."""

    id: int
    subscription_id: UUID
    case_id: UUID
    sequence: int
    status: str
    state: DeliveryState
    created_at: datetime
    finished_at: datetime | None
    next_attempt_at: datetime | None
    attempts: list[Attempt]

    @classmethod
    def of(cls, job: JobRecord) -> Delivery:
        state = _DELIVERY_STATE[job.state]
        assert job.correlation_id is not None  # every callback job names its case
        return cls(
            id=job.id,
            subscription_id=UUID(job.payload["subscription_id"]),
            case_id=job.correlation_id,
            sequence=job.payload["status_change_id"],
            status=job.payload["status"],
            state=state,
            created_at=job.created_at,
            finished_at=job.finished_at,
            next_attempt_at=job.due_at if state == "pending" else None,
            attempts=[Attempt.of(a) for a in job.attempts if a.finished_at is not None],
        )


async def subscribe(
    conn: Connection | asyncpg.Pool, id_: UUID, channel: str, url: str, secret: str, owner: str
) -> Subscription:
    row = await conn.fetchrow(SUBSCRIBE, id_, channel, url, secret, owner)
    assert row is not None  # INSERT … RETURNING
    return Subscription(**dict(row))


async def active(conn: Connection | asyncpg.Pool, channel: str | None, owner: str | None) -> list[Subscription]:
    """Active subscriptions, of one owner's unless `owner` is None (an admin's view)."""
    return [Subscription(**dict(row)) for row in await conn.fetch(ACTIVE, channel, owner)]


async def owner_of(conn: Connection | asyncpg.Pool, subscription_id: UUID) -> str | None:
    """Who registered an active subscription ('' for one older than owners); None if there is none."""
    found: str | None = await conn.fetchval(OWNER, subscription_id)
    return found


async def unsubscribe(conn: Connection, subscription_id: UUID) -> bool:
    """Delete the subscription and cancel what is still owed to it; False if there was none."""
    async with conn.transaction():
        if not await conn.fetchval(LOCK, subscription_id):
            return False
        await conn.execute(UNSUBSCRIBE, subscription_id)
        await jobs.cancel(conn, QUEUE, payload_contains={"subscription_id": str(subscription_id)})
    return True


async def notification(conn: Connection | asyncpg.Pool, payload: dict[str, Any]) -> Notification | None:
    """What to send for a delivery job's payload; None if its status change or subscriber is gone."""
    row = await conn.fetchrow(NOTIFICATION, UUID(payload["subscription_id"]), payload["status_change_id"])
    if row is None:
        return None
    body = {
        "case_id": str(row["case_id"]),
        "case_number": row["case_number"],
        "channel": row["channel"],
        "external_id": row["external_id"],
        "status": row["status"],
        "status_note": row["note"],
        "agency_responsible": row["agency_responsible"],
        "updated_at": row["changed_at"],
        "expected_at": row["expected_at"],
        "sequence": row["sequence"],
    }
    return Notification(row["url"], row["secret"], row["case_id"], row["channel"], body)


async def deliveries(
    conn: Connection,
    *,
    case_id: UUID | None,
    state: DeliveryState | None,
    subscription_id: UUID | None,
    limit: int,
) -> list[Delivery]:
    """Deliveries, newest first, each with every attempt finished so far."""
    found = await jobs.find_jobs(
        conn,
        QUEUE,
        correlation_id=case_id,
        payload_contains={"subscription_id": str(subscription_id)} if subscription_id else None,
        states=_JOB_STATES[state] if state else None,
        limit=limit,
    )
    return [Delivery.of(job) for job in found]
