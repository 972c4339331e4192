"""Closure's durable timers (定时): deadlines scheduled per second, and timers fired per second when
every one of 100,000 open cases falls overdue at once, each with its event appended in the
transaction that completes its job.

Starts PostgreSQL (or uses DATABASE_URL), gives Closure a fresh database and migrates it. Opening:
`BENCH_TIMER_OPENERS` tasks feed Dispatch's `CaseRouted` to the real reaction (`on_case_routed` →
`run()`: ClosureOpened appended, the case's row written, its warning and overdue timers owed, one
transaction per case). Firing: every overdue timer made due now with one UPDATE, then
`BENCH_TIMER_INSTANCES` instances of the service's own timer worker (`adapters/timers.py`, each
on its pool of the service's default size, with the service's default concurrency) fire them
all; the run then checks every case has exactly one DeadlineOverdue, every timer ran once and
each owed its 督办. Target (issue 11): ≥ 2,000 timers fired per second.

`BENCH_TIMER_CASES=5000 python -m bench.closure_timers` is a smoke test: it prints and writes
nothing. At full size the section goes to BENCHMARKS.md and the numbers to bench/results.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.eventstore import code_version, cpu_model, memory, server_facts
from casekit.db import create_pool, migrate
from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from casekit.jobs_worker import Settled
from casekit.metrics import Metrics
from cityconfig import load_city
from cityconfig.city import DEFAULT_CITY
from devstack.postgres import EmbeddedPostgres
from schemas.closure import CLOSURE_EVENTS
from schemas.dispatch import CaseRouted, StageLimits, TimeLimit
from services.closure.adapters.timers import timer_policy, timer_worker_on
from services.closure.adapters.views.case_numbers import SqlCaseNumbers
from services.closure.adapters.views.cases import SqlCases
from services.closure.application import reactions
from services.closure.application.context import Closure
from services.closure.application.timers import QUEUE
from services.closure.domain.deadlines import ClosureRules
from services.closure.main import MIGRATIONS
from services.closure.settings import ClosureSettings

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-closure-timers"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- closure-timers:start -->", "<!-- closure-timers:end -->"
FULL = 100_000
CASES = int(os.environ.get("BENCH_TIMER_CASES", FULL))
OPENERS = int(os.environ.get("BENCH_TIMER_OPENERS", 32))
INSTANCES = int(os.environ.get("BENCH_TIMER_INSTANCES", 2))
TARGET = 2_000.0
SCHEMA = "closure"
DEFAULTS = ClosureSettings.model_fields
CONCURRENCY = int(os.environ.get("CLOSURE_TIMER_CONCURRENCY", DEFAULTS["timer_concurrency"].default))
POOL_SIZE = int(os.environ.get("CLOSURE_DB_POOL_SIZE", DEFAULTS["db_pool_size"].default))
POLL = float(DEFAULTS["timer_poll_seconds"].default)
LIMITS = StageLimits(disposal=TimeLimit(amount=2, unit="hours"))
DISPATCH = EventMeta.by("system:dispatch")


@dataclass(frozen=True)
class Measured:
    cases: int
    open_s: float
    fire_s: float
    overdue_events: int
    cases_overdue: int
    attempts: int
    escalations_owed: int
    cpu_ms: tuple[float, float]
    """CPU per timer fired: this process (the workers), PostgreSQL (every backend)."""

    @property
    def scheduled_rate(self) -> float:
        return self.cases / self.open_s

    @property
    def fired_rate(self) -> float:
        return self.cases / self.fire_s

    @property
    def exact(self) -> bool:
        return self.overdue_events == self.cases_overdue == self.attempts == self.escalations_owed == self.cases


def context(pool: asyncpg.Pool) -> Closure:
    city = load_city(DEFAULT_CITY)
    rules = ClosureRules(city.calendar, 0.8, TimeLimit(amount=4, unit="working_hours"))
    store = EventStore(pool, EventTypes(list(CLOSURE_EVENTS)), Metrics())
    return Closure(store, city, rules, SqlCases(), SqlCaseNumbers())


def routed(case_id: uuid.UUID, at: datetime, n: int) -> CaseRouted:
    return CaseRouted(case_id=case_id, unit_code=f"unit-{n % 50}", unit_name="环卫所", category_code="06010",
                      rule="bench", routed_at=at, limits=LIMITS, urgency="normal")  # fmt: skip


async def open_cases(closure: Closure, pool: asyncpg.Pool, count: int) -> float:
    """Every case opened through the real reaction, `OPENERS` at a time; seconds taken."""
    at, queue = utc_now(), iter(range(count))

    async def opener() -> None:
        for n in queue:
            async with pool.acquire() as conn, conn.transaction():
                await reactions.on_case_routed(routed(uuid.uuid4(), at, n), closure, DISPATCH, conn)

    started = time.perf_counter()
    await asyncio.gather(*(opener() for _ in range(OPENERS)))
    return time.perf_counter() - started


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of the PostgreSQL it started (its backends, live and gone)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, _postgres_cpu()


POSTMASTER: list[int] = []


def _postgres_cpu() -> float:
    if not POSTMASTER:
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == POSTMASTER[0]:
            total += sum(int(f) for f in fields[11:15])  # its own and its reaped children's
        elif ppid == POSTMASTER[0]:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def fire_all(url: str, admin: asyncpg.Connection, count: int) -> tuple[float, tuple[float, float]]:
    """All overdue timers due now, fired by `INSTANCES` timer workers; seconds until the last is done."""
    pools = [await create_pool(url, SCHEMA, max_size=POOL_SIZE) for _ in range(INSTANCES)]
    settled, all_done = [0], asyncio.Event()

    def count_done(outcome: Settled) -> None:
        settled[0] += outcome.state == "done"
        if settled[0] >= count:
            all_done.set()

    workers = [
        timer_worker_on(p, Metrics().registry, context(p), timer_policy(POLL, CONCURRENCY), count_done) for p in pools
    ]
    moved = await admin.execute(
        "UPDATE jobs SET due_at = now() WHERE queue = $1 AND state = 'pending' AND payload->>'kind' = 'overdue'", QUEUE
    )
    assert int(moved.split()[-1]) == count, moved
    started, cpu = time.perf_counter(), _cpu()
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    await all_done.wait()
    seconds = time.perf_counter() - started
    own, postgres = (a - b for a, b in zip(_cpu(), cpu, strict=True))
    print(f"CPU per timer fired: {own / count * 1000:.2f} ms in Python, {postgres / count * 1000:.2f} ms in PostgreSQL",
          flush=True)  # fmt: skip
    for worker in workers:
        await worker.stop()
    await asyncio.gather(*tasks)
    for pool in pools:
        await pool.close()
    return seconds, (own / count * 1000, postgres / count * 1000)


async def measure(admin_url: str) -> Measured:
    name = f"bench_timers_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f"CREATE DATABASE {name}")
    url = admin_url.rpartition("/")[0] + f"/{name}"
    await migrate(url, SCHEMA, MIGRATIONS)
    pool = await create_pool(url, SCHEMA, max_size=OPENERS)
    db = await asyncpg.connect(url, server_settings={"search_path": SCHEMA})
    try:
        open_s = await open_cases(context(pool), pool, CASES)
        print(f"opened {CASES:,} cases in {open_s:.1f} s: {CASES / open_s:,.0f} deadlines scheduled/s", flush=True)
        for table in ("jobs", "job_attempts", "events", "closure_cases"):  # as autovacuum would have by then
            await db.execute(f"VACUUM ANALYZE {table}")
        fire_s, cpu_ms = await fire_all(url, db, CASES)
        print(f"fired {CASES:,} overdue timers in {fire_s:.1f} s: {CASES / fire_s:,.0f} timers fired/s", flush=True)
        found = await db.fetchrow(
            "SELECT count(*), count(DISTINCT stream_id) FROM events WHERE type = 'closure.DeadlineOverdue'"
        )
        assert found is not None
        events, cases = found
        attempts = await db.fetchval(
            "SELECT count(*) FROM job_attempts a JOIN jobs j ON j.id = a.job_id WHERE j.payload->>'kind' = 'overdue'"
        )
        owed = await db.fetchval("SELECT count(*) FROM jobs WHERE state = 'pending' AND payload->>'kind' = 'escalate'")
        return Measured(CASES, open_s, fire_s, events, cases, attempts, owed, cpu_ms)
    finally:
        await pool.close()
        await db.close()
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


def section(m: Measured, facts: dict[str, str], code: str, load: tuple[float, float], seconds: float) -> str:
    verdict = {True: "PASS", False: "MISS"}
    return "\n".join([
        START,
        "## Closure's durable timers (预警, 超期, 督办)",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Code: {code}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM",
        f"- PostgreSQL: {facts['PostgreSQL'].split(' on ')[0]}; shared_buffers={facts['shared_buffers']},"
        f" fsync={facts['fsync']}, synchronous_commit={facts['synchronous_commit']} (same machine)",
        f"- Load average (1 min) before and after: {load[0]:.2f}, {load[1]:.2f}",
        "- Command: `make bench` (`python -m bench.closure_timers`)",
        f"- Duration: {seconds:.0f} s",
        "",
        "### Method",
        "",
        f"- {m.cases:,} cases opened through Closure's real reaction to Dispatch's `CaseRouted`",
        "  (`run()`: ClosureOpened appended, the row written, the warning and overdue timers owed, one",
        f"  transaction per case), {OPENERS} at a time: deadlines scheduled per second.",
        f"- Then every overdue timer made due at once (one UPDATE) and fired by {INSTANCES} instances of the",
        f"  service's timer worker in one process (`JobWorker`, concurrency {CONCURRENCY}, pools of {POOL_SIZE}",
        "  connections, the service's defaults): each timer's DeadlineOverdue appended, the row written,",
        "  its 督办 owed and its job completed in one statement (`closure_timer_fired`, its own transaction,",
        "  after one read of the case's stream). Timed from the workers' start until the",
        "  last job is done (the tables vacuumed before, as autovacuum would have).",
        f"- Checked: {m.overdue_events:,} DeadlineOverdue events on {m.cases_overdue:,} cases, {m.attempts:,}"
        f" attempts, {m.escalations_owed:,} escalations owed (each must equal the cases).",
        "",
        "### Results",
        "",
        "| Measure | Value | Target | |",
        "|---|---:|---:|---|",
        f"| deadlines scheduled/s (cases opened with their timers) | {m.scheduled_rate:,.0f} | — | |",
        f"| timers fired/s, {m.cases:,} due at once | {m.fired_rate:,.0f} | ≥ {TARGET:,.0f}"
        f" | {verdict[m.fired_rate >= TARGET]} |",
        f"| CPU per timer fired: workers (Python) / PostgreSQL | {m.cpu_ms[0]:.2f} ms / {m.cpu_ms[1]:.2f} ms | — | |",
        f"| every timer fired exactly once | {'yes' if m.exact else 'no'} | yes | {verdict[m.exact]} |",
        END,
    ])  # fmt: skip


def write(m: Measured, text: str) -> None:
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    report = re.sub(f"\n*{START}.*?{END}", "", report, flags=re.S).rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    stored = [r for r in stored if not str(r.get("name", "")).startswith("closure timers:")]
    stored += [
        {"name": "closure timers: deadlines scheduled", "value": round(m.scheduled_rate), "unit": "cases/s",
         "compared_with": None, "ratio": None},
        {"name": "closure timers: fired, 100,000 due at once", "value": round(m.fired_rate), "unit": "timers/s",
         "compared_with": None, "ratio": None},
    ]  # fmt: skip
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")


async def bench(admin_url: str) -> Measured:
    return await measure(admin_url)


def main() -> None:
    code, load_before, started = code_version(), os.getloadavg()[0], time.perf_counter()
    url = os.environ.get("DATABASE_URL", "")
    server = None if url else EmbeddedPostgres(RUN_DIR / "pg").start()
    if server and server.process:
        POSTMASTER.append(server.process.pid)
    try:
        admin_url = url or server.url  # type: ignore[union-attr]
        measured = asyncio.run(bench(admin_url))
        facts = asyncio.run(server_facts(admin_url))
    finally:
        if server:
            server.stop()
    print(f"exactly once: {measured.exact}; target ≥ {TARGET:,.0f}/s: {measured.fired_rate >= TARGET}")
    if CASES == FULL:
        load = (load_before, os.getloadavg()[0])
        write(measured, section(measured, facts, code, load, time.perf_counter() - started))
        print(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    if not measured.exact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
