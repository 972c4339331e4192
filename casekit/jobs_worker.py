"""The job worker: claims a queue's due jobs, runs their handler, settles them (ADR 0007).

Three kinds of handler:
- `Transactional`: the job's effects are database writes (a timer appending an event). The
  handler gets the connection of a transaction that also marks the job done, after the
  handler's writes (an append stays the first write, ADR 0002): the job and its effects commit
  together or not at all, so a timer fires once even when workers race.
- `External`: a call outside the database (an HTTP callback, an outbound message), made under
  the lease, outside any transaction; its outcome is recorded afterwards. At least once: a
  worker that dies after the call and before recording it leaves the job to be retried.
- `Settling`: a hot `Transactional` (Closure's timers): one SQL call writes the effects and
  completes the job in the statement's own transaction, so the job fires once, as above.

Any database error (PostgreSQL restarting, say) is retried with backoff; the jobs wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
from opentelemetry import trace

from casekit import jobs
from casekit.eventstore import Connection
from casekit.jobs import Job, JobState, LeaseLost, Limits
from casekit.jobs_metrics import JobMetrics
from casekit.logs import get_logger
from casekit.retry import backoff
from casekit.tracing import context_from

tracer = trace.get_tracer("casekit.jobs")


@dataclass(frozen=True)
class Done:
    """The external call succeeded; `detail` is kept with the attempt (an HTTP status, say)."""

    detail: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Failed:
    """The attempt failed: retried after a backoff, or given up when out of attempts or time."""

    error: str
    detail: Mapping[str, Any] | None = None
    final: bool = False
    """Give up now: retrying can never help."""


Outcome = Done | Failed


@dataclass(frozen=True)
class Transactional:
    """Runs in the transaction that completes the job; raise to fail the attempt (all rolled back)."""

    run: Callable[[Job, Connection], Awaitable[None]]


@dataclass(frozen=True)
class External:
    """Runs outside any transaction, under the lease; raising counts as `Failed`."""

    run: Callable[[Job], Awaitable[Outcome]]


@dataclass(frozen=True)
class Settling:
    """Settles the job itself, in the one statement that writes its effects (ADR 0006): it gets a
    connection outside any transaction and must complete the job atomically with its writes (SQL
    doing what `jobs.complete` does, or `jobs.complete` alone when it writes nothing); it raises
    LeaseLost when the job is no longer its own, anything else to fail the attempt. Once, like
    `Transactional`, in two round trips instead of a transaction's five or more."""

    run: Callable[[Job, Connection], Awaitable[None]]


Handler = Transactional | External | Settling


@dataclass(frozen=True)
class Settled:
    """What became of one attempt, for a service's own metrics and logs."""

    job: Job
    outcome: Outcome
    state: JobState | None
    """The job's state after it; None when the lease was lost (reclaimed or cancelled)."""


@dataclass(frozen=True)
class JobPolicy:
    lease: timedelta = timedelta(seconds=60)
    """Longer than any attempt: a job whose worker is silent this long is claimed again."""
    concurrency: int = 4
    """Attempts in flight per worker."""
    poll_seconds: float = 0.5
    backoff_seconds: float = 1.0
    """The first retry's backoff (full jitter), doubling per attempt up to `max_backoff_seconds`."""
    max_backoff_seconds: float = 300.0
    limits: Limits = field(default_factory=Limits)
    stop_grace_seconds: float = 3.0
    """On stop, attempts in flight get this long; the rest are cancelled and retried after their lease."""

    def retry_in(self, attempt: int) -> timedelta:
        return timedelta(seconds=backoff(attempt, self.backoff_seconds, self.max_backoff_seconds))


class JobWorker:
    """Claims `queue`'s due jobs and runs `handler` on them, `policy.concurrency` at a time."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        queue: str,
        handler: Handler,
        policy: JobPolicy,
        metrics: JobMetrics,
        *,
        on_settled: Callable[[Settled], None] | None = None,
        service: str = "casekit",
    ) -> None:
        self.pool, self.queue, self.handler, self.policy, self.metrics = pool, queue, handler, policy, metrics
        self.on_settled = on_settled
        self.log = get_logger(service).bind(queue=queue)
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._counted_at = self._reaped_at = 0.0

    async def run(self) -> None:
        try:
            await self._loop()
        except asyncio.CancelledError:
            # Killed, not stopped: abandon the attempts in flight; their leases hand them on.
            abandoned = list(self._in_flight)
            for task in abandoned:
                task.cancel()
            # Until they have unwound, their connections are out of the pool: a pool closed
            # right after us would wait for them.
            await asyncio.gather(*abandoned, return_exceptions=True)
            raise

    async def _loop(self) -> None:
        errors = 0
        while not self._stopping.is_set():
            try:
                started = await self._claim_and_start()
                errors = 0
            except Exception as error:  # the database away: keep trying, the jobs wait for us
                errors += 1
                self.log.warning("job.claim_failed", error=repr(error), attempt=errors)
                await self._pause(backoff(errors, self.policy.poll_seconds, 5.0))
                continue
            if not started:
                await self._pause(self.policy.poll_seconds)
            elif len(self._in_flight) >= self.policy.concurrency:
                await self._until_free(max(1, self.policy.concurrency // 2))
        await self._drain()

    async def _until_free(self, slots: int) -> None:
        """Busy: wait until `slots` attempts have finished, so that one claim refills them all
        (a claim per finished job would double the round trips of a backlog)."""
        while self.policy.concurrency - len(self._in_flight) < slots and not self._stopping.is_set():
            await self._pause(self.policy.poll_seconds)

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def wake(self) -> None:
        """Look for due jobs now rather than at the next poll."""
        self._wake.set()

    async def _claim_and_start(self) -> int:
        async with self.pool.acquire() as conn:
            # Expired leases at most once a poll, not before every claim of a busy worker.
            if time.monotonic() - self._reaped_at >= self.policy.poll_seconds:
                self._reaped_at = time.monotonic()
                await self._reap(conn)
            await self._count(conn)
            free = self.policy.concurrency - len(self._in_flight)
            if free <= 0:
                return 0
            claimed = await jobs.claim(conn, self.queue, free, self.policy.lease)
        for job in claimed:
            task = asyncio.create_task(self._attempt(job), name=f"job-{self.queue}-{job.id}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    async def _reap(self, conn: Connection) -> None:
        for row in await jobs.reap_expired(conn, self.queue, self.policy.limits):
            self.metrics.expired.labels(self.queue).inc()
            fields = {"job_id": row["id"], "case_id": _text(row["correlation_id"])}
            if row["state"] == "given_up":
                self.metrics.given_up.labels(self.queue).inc()
                self.log.error("job.given_up", reason="lease expired", **fields)
            else:
                self.log.warning("job.lease_expired", **fields)

    async def _count(self, conn: Connection) -> None:
        # At most once a second: the gauges need not follow every poll.
        if time.monotonic() - self._counted_at >= 1.0:
            self._counted_at = time.monotonic()
            pending, oldest = await jobs.backlog(conn, self.queue)
            self.metrics.pending.labels(self.queue).set(pending)
            self.metrics.oldest_due_age.labels(self.queue).set(oldest)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # a free slot, and maybe the next job of that order key is now due

    async def _attempt(self, job: Job) -> None:
        attributes: dict[str, str | int] = {"job.queue": job.queue, "job.id": job.id, "job.attempt": job.attempt}
        if job.correlation_id:
            attributes["case.id"] = str(job.correlation_id)
        parent = context_from(job.traceparent)
        with tracer.start_as_current_span(f"job {job.queue}", context=parent, attributes=attributes) as span:
            try:
                state, outcome = await self._run(job)
            except Exception as error:  # unrecorded (the database away): the lease expires, it is retried
                span.record_exception(error)
                self.log.warning("job.record_failed", **_fields(job), error=repr(error))
                return
            span.set_attribute("job.state", state or "lease_lost")
        self._observe(Settled(job, outcome, state))

    async def _run(self, job: Job) -> tuple[JobState | None, Outcome]:
        if isinstance(self.handler, Transactional):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    await self.handler.run(job, conn)
                    await jobs.complete(conn, job)
                return "done", Done()
            except LeaseLost:
                return None, Done()
            except Exception as error:  # rolled back; if even recording fails, the lease decides
                failed = Failed(_describe(error))
                return await self._record(job, failed), failed
        if isinstance(self.handler, Settling):
            try:
                async with self.pool.acquire() as conn:
                    await self.handler.run(job, conn)
                return "done", Done()
            except LeaseLost:
                return None, Done()
            except Exception as error:  # nothing was written; if even recording fails, the lease decides
                failed = Failed(_describe(error))
                return await self._record(job, failed), failed
        try:
            outcome = await self.handler.run(job)
        except Exception as error:
            outcome = Failed(_describe(error))
        return await self._record(job, outcome), outcome

    async def _record(self, job: Job, outcome: Outcome) -> JobState | None:
        async with self.pool.acquire() as conn:
            if isinstance(outcome, Done):
                try:
                    await jobs.complete(conn, job, outcome.detail)
                except LeaseLost:
                    return None
                return "done"
            return await jobs.fail(
                conn, job, outcome.error, retry_in=self.policy.retry_in(job.attempt), limits=self.policy.limits,
                detail=outcome.detail, final=outcome.final,
            )  # fmt: skip

    def _observe(self, settled: Settled) -> None:
        job, outcome, state = settled.job, settled.outcome, settled.state
        fields = {**_fields(job), "state": state}
        if isinstance(outcome, Done):
            if state == "done":
                self.metrics.done.labels(self.queue).inc()
                self.log.info("job.done", **fields)
            else:
                self.log.warning("job.lease_lost", **fields)
        else:
            self.metrics.failed.labels(self.queue).inc()
            if state == "given_up":
                self.metrics.given_up.labels(self.queue).inc()
                self.log.error("job.given_up", **fields, error=outcome.error)
            else:
                self.log.warning("job.failed", **fields, error=outcome.error)
        if self.on_settled:
            self.on_settled(settled)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _drain(self) -> None:
        if not self._in_flight:
            return
        _, unfinished = await asyncio.wait(self._in_flight, timeout=self.policy.stop_grace_seconds)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _fields(job: Job) -> dict[str, Any]:
    # Never the payload: it may carry what logs must not (a URL with a token, personal data).
    return {"job_id": job.id, "attempt": job.attempt, "case_id": _text(job.correlation_id)}


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
