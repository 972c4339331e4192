"""Callbacks: POST each public status change to the channel systems that subscribed to it.

A status change owes one delivery per subscription of its case's channel; a trigger writes
those rows in the change's own transaction (sql/002_callbacks.sql). `CallbackWorker`, one per
replica, claims due deliveries with FOR UPDATE SKIP LOCKED, POSTs them a few at a time, and
records every attempt. Submitting a report never waits on a receiver.

The request a receiver gets::

    POST <url>
    Content-Type: application/json
    X-CityCases-Timestamp: 1795000000
    X-CityCases-Signature: sha256=<hex>

    {"case_id": "…", "case_number": "GR-20261124-000001", "channel": "grid", "external_id": null,
     "status": "dispatched", "status_note": "已派遣至 市政设施管理处", "agency_responsible": "市政设施管理处",
     "updated_at": "2026-11-24T09:30:00+00:00", "expected_at": null, "sequence": 42}

Verifying it (as Stripe's webhooks do): compute HMAC-SHA256, keyed with the subscription's
secret, of the timestamp header, a ".", and the raw body bytes exactly as received; compare its
hex digest with the signature header (after "sha256=") in constant time; reject a timestamp
more than a few minutes from your clock, so a captured request cannot be replayed later::

    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, signature.removeprefix("sha256=")) and abs(time.time() - int(timestamp)) < 300

Answer 2xx to accept. Anything else (a redirect too: none is followed), a timeout or no answer
is retried with exponential backoff until the give-up time. Delivery is at least once:
deduplicate by (case_id, sequence). Per case, a subscriber receives the changes in `sequence`
order: a change waits until the one before it was accepted or given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge

from casekit.envelope import utc_now
from casekit.logs import get_logger
from casekit.retry import backoff
from casekit.runtime import Runtime
from casekit.service import Worker
from services.intake.settings import IntakeSettings

log = get_logger("intake")
CONCURRENCY = 8
"""Attempts in flight per replica: a dead receiver holds at most this many slots, never intake."""
STOP_GRACE_SECONDS = 3.0
"""On shutdown, attempts in flight get this long; the rest are cancelled and retried after their lease."""


@dataclass(frozen=True)
class CallbackConfig:
    allowlist: tuple[str, ...]
    give_up: timedelta
    timeout_seconds: float
    backoff_seconds: float
    max_backoff_seconds: float
    poll_seconds: float

    @classmethod
    def of(cls, settings: IntakeSettings) -> CallbackConfig:
        return cls(
            allowlist=tuple(settings.callback_allowlist),
            give_up=timedelta(minutes=settings.callback_give_up_minutes),
            timeout_seconds=settings.callback_timeout_seconds,
            backoff_seconds=settings.callback_backoff_seconds,
            max_backoff_seconds=settings.callback_max_backoff_seconds,
            poll_seconds=settings.callback_poll_seconds,
        )

    @property
    def lease(self) -> timedelta:
        # Longer than any attempt (bounded by the timeout) plus recording it.
        return timedelta(seconds=self.timeout_seconds + 30)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-CityCases-Signature value: the timestamp is signed too, so it cannot be swapped."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class CallbackMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.delivered = Counter(
            "callbacks_delivered_total", "Callback deliveries a receiver accepted", ["channel"], registry=registry
        )
        self.failed = Counter(
            "callback_attempts_failed_total", "Callback attempts refused, timed out or unanswered", ["channel"],
            registry=registry,
        )  # fmt: skip
        self.given_up = Counter(
            "callbacks_given_up_total", "Callback deliveries abandoned at the give-up time", ["channel"],
            registry=registry,
        )  # fmt: skip
        self.pending = Gauge(
            "callback_deliveries_pending", "Callback deliveries not yet accepted nor given up (all replicas)",
            registry=registry,
        )  # fmt: skip


# Due deliveries whose case has no earlier change still owed to the same subscriber (the
# order rule), locked without waiting for other replicas, leased by pushing next_attempt_at.
# Per case, status_changes ids follow commit order: apply_status locks the case's report row
# before it inserts, so a later change of the same case cannot commit before an earlier one.
CLAIM = """WITH due AS (
        SELECT d.id FROM callback_deliveries d
        WHERE d.state = 'pending' AND d.next_attempt_at <= now()
          AND NOT EXISTS (
              SELECT 1 FROM callback_deliveries e
              WHERE e.subscription_id = d.subscription_id AND e.case_id = d.case_id
                AND e.state = 'pending' AND e.status_change_id < d.status_change_id)
        ORDER BY d.next_attempt_at, d.id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE callback_deliveries d SET next_attempt_at = now() + $2::interval, claim_token = gen_random_uuid()
        FROM due WHERE d.id = due.id
        RETURNING d.id, d.claim_token, d.attempts, d.subscription_id, d.status_change_id, d.case_id
    )
    SELECT c.id, c.claim_token, c.attempts, c.subscription_id, s.url, s.secret,
        c.case_id, r.case_number, r.channel, r.external_id, r.expected_at,
        sc.id AS sequence, sc.status, sc.note, sc.changed_at,
        (SELECT p.unit_name FROM status_changes p
         WHERE p.case_id = sc.case_id AND p.id <= sc.id AND p.unit_name IS NOT NULL
         ORDER BY p.id DESC LIMIT 1) AS agency_responsible
    FROM claimed c
    JOIN callback_subscriptions s ON s.id = c.subscription_id
    JOIN status_changes sc ON sc.id = c.status_change_id
    JOIN reports r ON r.case_id = c.case_id"""
ATTEMPT = """INSERT INTO callback_attempts (delivery_id, attempted_at, duration_ms, http_status, error)
    VALUES ($1, $2, $3, $4, $5)"""
# Only the claim's holder settles it, and only while pending (an unsubscribe cancels it).
DELIVERED = """UPDATE callback_deliveries SET state = 'delivered', attempts = attempts + 1, claim_token = NULL,
        finished_at = now()
    WHERE id = $1 AND claim_token = $2 AND state = 'pending' RETURNING state"""
# The last retry is due exactly at the give-up time; a failure at or after it gives up.
FAILED = """UPDATE callback_deliveries SET attempts = attempts + 1, claim_token = NULL,
        state = CASE WHEN now() >= created_at + $3::interval THEN 'given_up' ELSE 'pending' END,
        finished_at = CASE WHEN now() >= created_at + $3::interval THEN now() END,
        next_attempt_at = least(now() + $4::interval, created_at + $3::interval)
    WHERE id = $1 AND claim_token = $2 AND state = 'pending' RETURNING state"""
PENDING = "SELECT count(*) FROM callback_deliveries WHERE state = 'pending'"


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds until its lease expires."""

    id: int
    token: UUID
    attempt: int
    """This attempt's number, from 1."""
    subscription_id: UUID
    url: str
    secret: str = field(repr=False)
    case_id: UUID
    channel: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: asyncpg.Record) -> Claimed:
        payload = {
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
        return cls(
            row["id"], row["claim_token"], row["attempts"] + 1, row["subscription_id"], row["url"], row["secret"],
            row["case_id"], row["channel"], payload,
        )  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    at: datetime
    duration_ms: int
    http_status: int | None = None
    error: str | None = None

    @property
    def accepted(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


async def attempt(client: httpx.AsyncClient, claimed: Claimed, timeout_seconds: float) -> Outcome:
    """One POST, never raising: whatever happens becomes the attempt's record."""
    body = orjson.dumps(claimed.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-CityCases-Timestamp": timestamp,
        "X-CityCases-Signature": sign(claimed.secret, timestamp, body),
    }
    at, started = utc_now(), time.perf_counter()

    def took() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        # httpx's timeout bounds each read; this bounds the whole exchange (a receiver trickling bytes).
        async with asyncio.timeout(timeout_seconds):
            response = await client.post(claimed.url, content=body, headers=headers)
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(at, took(), error=f"timeout after {timeout_seconds:g} s")
    except Exception as error:  # refused, reset, TLS…: recorded and retried like any failure
        return Outcome(at, took(), error=f"{type(error).__name__}: {error}"[:500])
    return Outcome(at, took(), http_status=response.status_code)


class CallbackWorker:
    """Claims due deliveries and attempts them, CONCURRENCY at a time, until stopped."""

    def __init__(self, pool: asyncpg.Pool, config: CallbackConfig, metrics: CallbackMetrics) -> None:
        self.pool, self.config, self.metrics = pool, config, metrics
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._pending_counted_at = 0.0

    async def run(self) -> None:
        # No redirects (a redirect could leave the allow-list) and no proxies from the environment.
        timeout = httpx.Timeout(self.config.timeout_seconds)
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, trust_env=False) as client:
            errors = 0
            while not self._stopping.is_set():
                try:
                    started = await self._claim_and_start(client)
                    errors = 0
                except Exception as error:  # the database away: keep trying, the rows wait for us
                    errors += 1
                    log.warning("callback.claim_failed", error=repr(error), attempt=errors)
                    await self._pause(backoff(errors, self.config.poll_seconds, 30.0))
                    continue
                if not started or len(self._in_flight) >= CONCURRENCY:
                    await self._pause(self.config.poll_seconds)
            await self._drain()

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def _claim_and_start(self, client: httpx.AsyncClient) -> int:
        await self._count_pending()
        free = CONCURRENCY - len(self._in_flight)
        if free <= 0:
            return 0
        rows = await self.pool.fetch(CLAIM, free, self.config.lease)
        for row in rows:
            task = asyncio.create_task(self._deliver(client, Claimed.of(row)), name=f"callback-{row['id']}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(rows)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a free slot, and maybe the next change of that case is now due

    async def _deliver(self, client: httpx.AsyncClient, claimed: Claimed) -> None:
        outcome = await attempt(client, claimed, self.config.timeout_seconds)
        try:
            state = await self._record(claimed, outcome)
        except Exception as error:  # unrecorded: the lease expires and the delivery is attempted again
            log.warning("callback.record_failed", case_id=str(claimed.case_id), delivery_id=claimed.id,
                        error=repr(error))  # fmt: skip
            return
        self._observe(claimed, outcome, state)

    async def _record(self, claimed: Claimed, outcome: Outcome) -> str | None:
        """The attempt and the delivery's new state, in one transaction; None if the claim was lost."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(ATTEMPT, claimed.id, outcome.at, outcome.duration_ms, outcome.http_status, outcome.error)
            if outcome.accepted:
                state: str | None = await conn.fetchval(DELIVERED, claimed.id, claimed.token)
            else:
                delay = timedelta(
                    seconds=backoff(claimed.attempt, self.config.backoff_seconds, self.config.max_backoff_seconds)
                )
                state = await conn.fetchval(FAILED, claimed.id, claimed.token, self.config.give_up, delay)
        return state

    def _observe(self, claimed: Claimed, outcome: Outcome, state: str | None) -> None:
        # Never the secret, the URL (it may carry a token) nor anything about the reporter.
        fields = {
            "case_id": str(claimed.case_id),
            "delivery_id": claimed.id,
            "subscription_id": str(claimed.subscription_id),
            "sequence": claimed.payload["sequence"],
            "attempt": claimed.attempt,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "duration_ms": outcome.duration_ms,
            "state": state,
        }
        if outcome.accepted:
            self.metrics.delivered.labels(claimed.channel).inc()
            log.info("callback.delivered", **fields)
            return
        self.metrics.failed.labels(claimed.channel).inc()
        if state == "given_up":
            self.metrics.given_up.labels(claimed.channel).inc()
            log.error("callback.given_up", **fields)
        else:
            log.warning("callback.failed", **fields)

    async def _count_pending(self) -> None:
        # At most once a second: the gauge need not follow every poll.
        if time.monotonic() - self._pending_counted_at >= 1.0:
            self._pending_counted_at = time.monotonic()
            self.metrics.pending.set(await self.pool.fetchval(PENDING))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _drain(self) -> None:
        if not self._in_flight:
            return
        _, unfinished = await asyncio.wait(self._in_flight, timeout=STOP_GRACE_SECONDS)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)


def workers(config: CallbackConfig) -> Callable[[Runtime], Sequence[Worker]]:
    """`ServiceSpec.background`: one callback worker per replica; SKIP LOCKED shares the work."""

    def start(runtime: Runtime) -> Sequence[Worker]:
        return [CallbackWorker(runtime.pool, config, CallbackMetrics(runtime.metrics.registry))]

    return start
