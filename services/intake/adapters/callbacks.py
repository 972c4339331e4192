"""Callbacks: POST each public status change to the channel systems that subscribed to it.

A status change owes one delivery per subscription of its case's channel; a trigger enqueues
each as a casekit durable job (queue `callbacks`) in the change's own transaction
(sql/004_callbacks_on_jobs.sql). `CallbackWorker`, one per replica, is a casekit `JobWorker`
with an external handler: it claims due deliveries (FOR UPDATE SKIP LOCKED), POSTs them a few
at a time outside any transaction, and records every attempt. Submitting a report never waits
on a receiver.

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

Answer 2xx to accept. Anything else (a redirect too: none is followed), a timeout, no answer, or
a host resolving to an address the network policy refuses (callbacks_urls.py) is retried with
exponential backoff until the give-up time. Delivery is at least once: deduplicate by
(case_id, sequence). Per case, a subscriber receives the changes in `sequence` order: a change
waits until the one before it was accepted or given up.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import httpx
import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge

from casekit.jobs import Job, Limits
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import Done, External, Failed, JobPolicy, JobWorker, Outcome, Settled
from casekit.logs import get_logger
from casekit.runtime import Runtime
from casekit.service import Worker
from services.intake.adapters import callbacks_store
from services.intake.adapters.callbacks_store import QUEUE, Notification
from services.intake.adapters.callbacks_urls import NetworkPolicy, RefusedAddress, allowed, checked_transport
from services.intake.settings import IntakeSettings

log = get_logger("intake")
CONCURRENCY = 8
"""Attempts in flight per replica: a dead receiver holds at most this many slots, never intake."""
STOP_GRACE_SECONDS = 3.0
"""On shutdown, attempts in flight get this long; the rest are cancelled and retried after their lease."""


@dataclass(frozen=True)
class CallbackConfig:
    allowlist: tuple[str, ...]
    networks: NetworkPolicy
    give_up: timedelta
    timeout_seconds: float
    backoff_seconds: float
    max_backoff_seconds: float
    poll_seconds: float

    @classmethod
    def of(cls, settings: IntakeSettings) -> CallbackConfig:
        return cls(
            allowlist=tuple(settings.callback_allowlist),
            networks=NetworkPolicy.of(settings.callback_allow_private_networks),
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

    @property
    def policy(self) -> JobPolicy:
        """Retried with backoff until the give-up time, however many attempts that takes."""
        return JobPolicy(
            lease=self.lease,
            concurrency=CONCURRENCY,
            poll_seconds=self.poll_seconds,
            backoff_seconds=self.backoff_seconds,
            max_backoff_seconds=self.max_backoff_seconds,
            limits=Limits(max_attempts=None, give_up_after=self.give_up),
            stop_grace_seconds=STOP_GRACE_SECONDS,
        )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-CityCases-Signature value: the timestamp is signed too, so it cannot be swapped."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class CallbackMetrics:
    """Per channel, beside the queue's own `jobs_*{queue="callbacks"}`."""

    def __init__(self, registry: CollectorRegistry, jobs: JobMetrics) -> None:
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
        # The same figure as jobs_pending{queue="callbacks"}, under the name dashboards know.
        self.pending.set_function(lambda: _sample(jobs.pending, QUEUE))


def _sample(gauge: Gauge, queue: str) -> float:
    for family in gauge.collect():
        for sample in family.samples:
            if sample.labels.get("queue") == queue:
                return sample.value
    return 0.0


async def attempt(client: httpx.AsyncClient, notification: Notification, timeout_seconds: float) -> Outcome:
    """One POST, never raising: whatever happens becomes the attempt's record."""
    body = orjson.dumps(notification.body)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-CityCases-Timestamp": timestamp,
        "X-CityCases-Signature": sign(notification.secret, timestamp, body),
    }
    started = time.perf_counter()

    def took() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        # httpx's timeout bounds each read; this bounds the whole exchange (a receiver trickling bytes).
        async with asyncio.timeout(timeout_seconds):
            response = await client.post(notification.url, content=body, headers=headers)
    except (TimeoutError, httpx.TimeoutException):
        return Failed(f"timeout after {timeout_seconds:g} s", {"duration_ms": took()})
    except RefusedAddress as refused:  # retried like any failure: DNS or the settings may change
        return Failed(f"refused: {refused}", {"duration_ms": took()})
    except Exception as error:  # refused, reset, TLS…: recorded and retried like any failure
        return Failed(f"{type(error).__name__}: {error}"[:500], {"duration_ms": took()})
    detail = {"http_status": response.status_code, "duration_ms": took()}
    if 200 <= response.status_code < 300:
        return Done(detail)
    return Failed(f"HTTP {response.status_code}", detail)


class CallbackWorker:
    """The `callbacks` queue's worker: attempts deliveries, CONCURRENCY at a time, until stopped."""

    def __init__(self, pool: asyncpg.Pool, config: CallbackConfig, metrics: CallbackMetrics, jobs: JobMetrics) -> None:
        self.pool, self.config, self.metrics = pool, config, metrics
        self.client: httpx.AsyncClient | None = None
        self.jobs = JobWorker(
            pool, QUEUE, External(self._deliver), config.policy, jobs, on_settled=self._observe, service="intake"
        )

    async def run(self) -> None:
        # No redirects (a redirect could leave the allow-list) and no proxies from the environment;
        # every connection to an address the network policy allows (callbacks_urls).
        timeout = httpx.Timeout(self.config.timeout_seconds)
        transport = checked_transport(self.config.networks, httpx.Limits(max_connections=CONCURRENCY))
        async with httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=False, trust_env=False
        ) as client:
            self.client = client
            await self.jobs.run()

    async def stop(self) -> None:
        await self.jobs.stop()

    async def _deliver(self, job: Job) -> Outcome:
        assert self.client is not None  # set before the worker claims anything
        notification = await callbacks_store.notification(self.pool, job.payload)
        if notification is None:
            return Failed("the status change or the subscription no longer exists", final=True)
        if not allowed(notification.url, self.config.allowlist):  # the allow-list may have shrunk since
            return Failed("refused: the URL is no longer in the callback allow-list")
        return await attempt(self.client, notification, self.config.timeout_seconds)

    def _observe(self, settled: Settled) -> None:
        job, outcome, state = settled.job, settled.outcome, settled.state
        channel = job.payload.get("channel", "unknown")
        detail = outcome.detail or {}
        # Never the secret, the URL (it may carry a token) nor anything about the reporter.
        fields = {
            "case_id": str(job.correlation_id),
            "delivery_id": job.id,
            "subscription_id": job.payload["subscription_id"],
            "sequence": job.payload["status_change_id"],
            "attempt": job.attempt,
            "http_status": detail.get("http_status"),
            "error": outcome.error if isinstance(outcome, Failed) else None,
            "duration_ms": detail.get("duration_ms"),
            "state": state,
        }
        if isinstance(outcome, Done):
            if state == "done":  # not when an unsubscribe cancelled it meanwhile
                self.metrics.delivered.labels(channel).inc()
                log.info("callback.delivered", **fields)
            return
        self.metrics.failed.labels(channel).inc()
        if state == "given_up":
            self.metrics.given_up.labels(channel).inc()
            log.error("callback.given_up", **fields)
        else:
            log.warning("callback.failed", **fields)


def workers(config: CallbackConfig) -> Callable[[Runtime], Sequence[Worker]]:
    """`ServiceSpec.background`: one callback worker per replica; SKIP LOCKED shares the work."""

    def start(runtime: Runtime) -> Sequence[Worker]:
        jobs = JobMetrics.of(runtime.metrics.registry)
        return [CallbackWorker(runtime.pool, config, CallbackMetrics(runtime.metrics.registry, jobs), jobs)]

    return start
