"""Durable jobs: claimed by one worker, retried, given up with a record, in order per key,
and a timer that appends an event fires once however workers race (casekit/jobs*.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from uuid import uuid4

import asyncpg
import pytest

from casekit import jobs
from casekit.envelope import EventMeta
from casekit.eventstore import Connection, EventStore
from casekit.jobs import Job
from casekit.jobs_worker import Done, External, Failed, Outcome, Transactional
from casekit.metrics import Metrics
from tests.casekit.jobs_rig import QUEUE, enqueue_many, fast_policy, record, states, workers
from tests.casekit.kafka_rig import TYPES, Noted
from tests.conftest import eventually


async def test_two_workers_claim_disjoint_work_and_do_every_job_once(pool: asyncpg.Pool) -> None:
    handled: list[int] = []

    async def handle(job: Job) -> Outcome:
        handled.append(job.payload["n"])
        await asyncio.sleep(0)  # let the other worker claim meanwhile
        return Done()

    ids = await enqueue_many(pool, 60)
    metrics = Metrics()
    async with workers(pool, External(handle), fast_policy(concurrency=3), count=2, metrics=metrics):

        async def all_done() -> None:
            assert await states(pool) == {"done": 60}

        await eventually(all_done)

    assert sorted(handled) == list(range(60))  # each once: no job claimed by both
    assert metrics.registry.get_sample_value("jobs_done_total", {"queue": QUEUE}) == 60
    attempts = [len((await record(pool, job_id)).attempts) for job_id in ids]
    assert attempts == [1] * 60


async def test_a_job_whose_worker_is_killed_is_claimed_again_after_its_lease(pool: asyncpg.Pool) -> None:
    started = asyncio.Event()
    done: list[int] = []

    async def handle(job: Job) -> Outcome:
        if job.attempt == 1:
            started.set()
            await asyncio.Event().wait()  # hangs until its worker is killed
        done.append(job.id)
        return Done()

    [job_id] = await enqueue_many(pool, 1)
    async with workers(pool, External(handle), fast_policy(lease=0.5)) as [(_, doomed)]:
        await asyncio.wait_for(started.wait(), 20)
        doomed.cancel()  # killed mid-job, nothing recorded
    async with workers(pool, External(handle), fast_policy(lease=0.5)):

        async def done_again() -> None:
            assert (await record(pool, job_id)).state == "done"

        await eventually(done_again)

    found = await record(pool, job_id)
    assert done == [job_id]
    assert [(a.attempt, a.outcome) for a in found.attempts] == [(1, "lease_expired"), (2, "done")]


async def test_a_job_whose_connection_is_terminated_mid_transaction_is_done_once(pool: asyncpg.Pool) -> None:
    await pool.execute("CREATE TABLE effects (job_id bigint, attempt integer)")
    in_handler: asyncio.Queue[int] = asyncio.Queue()
    release = asyncio.Event()

    async def handle(job: Job, conn: Connection) -> None:
        await conn.execute("INSERT INTO effects VALUES ($1, $2)", job.id, job.attempt)
        if job.attempt == 1:
            await in_handler.put(conn.get_server_pid())
            await release.wait()
            await conn.execute("SELECT 1")  # the server has gone: this attempt's writes roll back

    [job_id] = await enqueue_many(pool, 1)
    async with workers(pool, Transactional(handle), fast_policy(lease=2.0)):
        pid = await asyncio.wait_for(in_handler.get(), 20)
        assert await pool.fetchval("SELECT pg_terminate_backend($1)", pid)
        release.set()

        async def done() -> None:
            assert (await record(pool, job_id)).state == "done"

        await eventually(done)

    assert [tuple(row) for row in await pool.fetch("SELECT * FROM effects")] == [(job_id, 2)]
    assert [a.outcome for a in (await record(pool, job_id)).attempts] in (
        ["failed", "done"],  # the failure was recorded on a fresh connection
        ["lease_expired", "done"],  # or not, and the lease ran out
    )


async def test_a_job_that_keeps_failing_is_given_up_with_its_record(pool: asyncpg.Pool) -> None:
    async def handle(job: Job) -> Outcome:
        return Failed(f"refused on attempt {job.attempt}", detail={"http_status": 503})

    [job_id] = await enqueue_many(pool, 1)
    metrics = Metrics()
    async with workers(pool, External(handle), fast_policy(max_attempts=3), metrics=metrics):

        async def given_up() -> None:
            assert (await record(pool, job_id)).state == "given_up"

        await eventually(given_up)

    found = await record(pool, job_id)
    assert found.last_error == "refused on attempt 3"
    assert [(a.attempt, a.outcome, a.error, a.detail) for a in found.attempts] == [
        (n, "failed", f"refused on attempt {n}", {"http_status": 503}) for n in (1, 2, 3)
    ]
    assert all(a.finished_at and a.finished_at >= a.started_at for a in found.attempts)
    assert found.finished_at is not None
    sample = metrics.registry.get_sample_value
    assert sample("jobs_given_up_total", {"queue": QUEUE}) == 1
    assert sample("job_attempts_failed_total", {"queue": QUEUE}) == 3


async def test_a_job_with_its_own_limit_and_a_final_failure_are_given_up_early(pool: asyncpg.Pool) -> None:
    async def handle(job: Job) -> Outcome:
        return Failed("never", final=job.payload.get("final", False))

    async with pool.acquire() as conn:
        limited = await jobs.enqueue(conn, QUEUE, {}, max_attempts=2)
        final = await jobs.enqueue(conn, QUEUE, {"final": True})
    async with workers(pool, External(handle), fast_policy(max_attempts=10)):

        async def both_given_up() -> None:
            assert await states(pool) == {"given_up": 2}

        await eventually(both_given_up)

    assert len((await record(pool, limited)).attempts) == 2
    assert len((await record(pool, final)).attempts) == 1


async def test_jobs_of_one_order_key_run_in_order_even_when_one_fails(pool: asyncpg.Pool) -> None:
    started: list[tuple[str, int]] = []
    finished: set[tuple[str, int]] = set()
    overtaken: list[tuple[str, int]] = []

    async def handle(job: Job) -> Outcome:
        key, n = job.payload["key"], job.payload["n"]
        if not all((key, earlier) in finished for earlier in range(n)):
            overtaken.append((key, n))  # started while an earlier job of its key was still owed
        started.append((key, n))
        await asyncio.sleep(0)
        if n == 0 and job.attempt == 1:
            return Failed("first attempt of the first job fails")
        finished.add((key, n))
        return Done()

    async with pool.acquire() as conn, conn.transaction():
        for n in range(6):
            for key in ("a", "b", "c"):
                await jobs.enqueue(conn, QUEUE, {"key": key, "n": n}, order_key=key)
    async with workers(pool, External(handle), fast_policy(concurrency=4), count=2):

        async def all_done() -> None:
            assert await states(pool) == {"done": 18}

        await eventually(all_done)

    assert overtaken == []
    for key in ("a", "b", "c"):
        assert [n for k, n in started if k == key] == [0, 0, 1, 2, 3, 4, 5]


async def test_enqueueing_a_live_key_twice_owes_one_job_and_cancel_stops_it(pool: asyncpg.Pool) -> None:
    case = uuid4()
    async with pool.acquire() as conn:
        first = await jobs.enqueue(conn, QUEUE, {"n": 1}, key=f"deadline:{case}", correlation_id=case)
        again = await jobs.enqueue(conn, QUEUE, {"n": 2}, key=f"deadline:{case}", correlation_id=case)
        cancelled = await jobs.cancel(conn, QUEUE, payload_contains={"n": 1})
        later = await jobs.enqueue(conn, QUEUE, {"n": 3}, key=f"deadline:{case}", correlation_id=case)
        found = await jobs.find_jobs(conn, QUEUE, correlation_id=case)

    assert first == again
    assert cancelled == [first]
    assert [(j.id, j.state, j.payload) for j in found] == [(later, "pending", {"n": 3}), (first, "cancelled", {"n": 1})]
    with pytest.raises(ValueError, match="filter"):
        async with pool.acquire() as conn:
            await jobs.cancel(conn, QUEUE)


async def test_a_timer_appending_an_event_fires_once_when_two_workers_race(pool: asyncpg.Pool) -> None:
    store = EventStore(pool, TYPES)
    case = uuid4()
    appended = asyncio.Event()
    release = asyncio.Event()

    async def fire(job: Job, conn: Connection) -> None:
        # Reads the stream and appends at its version: without the job completing in this
        # transaction, the worker whose lease ran out would append a second time.
        stream = await store.read_stream(f"timer-{case}", conn=conn)
        meta = EventMeta(actor="timer", correlation_id=case)
        await store.append(
            f"timer-{case}", [Noted(case_id=case, text="overdue")], meta=meta, expected_version=stream.version,
            conn=conn,
        )  # fmt: skip
        if job.attempt == 1:
            appended.set()
            await release.wait()  # appended, not yet committed, while the lease runs out

    async with pool.acquire() as conn:
        job_id = await jobs.enqueue(conn, QUEUE, {}, key=f"overdue:{case}", correlation_id=case)
    async with workers(pool, Transactional(fire), fast_policy(lease=0.5), count=2):
        await asyncio.wait_for(appended.wait(), 20)

        async def reclaimed() -> None:
            assert len((await record(pool, job_id)).attempts) == 2

        await eventually(reclaimed)
        release.set()

        async def done() -> None:
            assert (await record(pool, job_id)).state == "done"

        await eventually(done)

    events = await store.read_stream(f"timer-{case}")
    assert [e.text for e in events.events if isinstance(e, Noted)] == ["overdue"]
    outcomes = Counter(a.outcome for a in (await record(pool, job_id)).attempts)
    assert outcomes == {"lease_expired": 1, "done": 1}


async def test_a_job_is_owed_in_the_transaction_of_the_append_before_it(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    store = EventStore(pool, TYPES)
    kept, dropped = uuid4(), uuid4()
    for case in (kept, dropped):
        with contextlib.suppress(RuntimeError):
            async with pool.acquire() as conn, conn.transaction():
                meta = EventMeta(actor="tester", correlation_id=case)
                await store.append(f"case-{case}", [Noted(case_id=case, text="opened")], meta=meta, expected_version=0,
                                   conn=conn)  # fmt: skip
                await jobs.enqueue(conn, QUEUE, {"case": str(case)}, order_key=str(case), correlation_id=case)
                if case == dropped:
                    raise RuntimeError("rolled back: neither the event nor the job exists")
    handled: list[str] = []

    async def handle(job: Job) -> Outcome:
        handled.append(job.payload["case"])
        return Done()

    async with workers(pool, External(handle), fast_policy()):

        async def done() -> None:
            assert await states(pool) == {"done": 1}

        await eventually(done)

    assert handled == [str(kept)]
    logged = [str(record.msg) for record in caplog.records if "job.done" in str(record.msg)]
    assert len(logged) == 1
    assert str(kept) in logged[0]  # the case id, for finding a case's jobs in the logs
