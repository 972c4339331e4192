"""Append and read throughput of casekit's event store, against a ceiling and a peer.

ours:    casekit.eventstore.EventStore (asyncpg, `append_events`, gap-free read all).
ceiling: bare asyncpg INSERTs into a table holding only a stream id, a version and the data.
peer:    the `eventsourcing` library's PostgresApplicationRecorder (psycopg 3, threads).

Every system gets 8 concurrent writers, each appending new versions to streams of its own,
and a fresh database. Writes BENCHMARKS.md and bench/results.json.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from statistics import median
from typing import ClassVar
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5

import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from casekit.db import create_pool, migrate
from casekit.envelope import EventMeta, Position
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from devstack.stack import start_stack
from schemas.base import Event

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
COMMAND = "make bench"
SECTION_START, SECTION_END = "<!-- eventstore:start -->", "<!-- eventstore:end -->"

WRITERS = 8
POOL_SIZE = 10
TRANSACTIONS_PER_STREAM = 10
PAGE = 5000
ROUNDS = 3
APPEND_TARGET = 0.75
READ_TARGET = 0.55
UNIT = "events/s"
TEXT = "Pavement damaged near the east gate of the market"
PEER_TOPIC = "bench.eventstore:BenchEvent"


class BenchEvent(Event):
    type: ClassVar[str] = "bench.Happened"

    text: str
    n: int


PAYLOAD_BYTES = len(BenchEvent(case_id=uuid5(NAMESPACE_URL, "bench"), text=TEXT, n=1000).model_dump_json())


@dataclass(frozen=True)
class Workload:
    key: str
    events: int
    batch: int

    def __post_init__(self) -> None:
        if self.events % (WRITERS * self.batch):
            raise ValueError(f"{self.events} events do not split into {WRITERS} writers' transactions of {self.batch}")

    @property
    def transactions_per_writer(self) -> int:
        return self.events // (WRITERS * self.batch)

    def warmup(self) -> Workload:
        return Workload(f"warmup-{self.key}", WRITERS * self.batch * 2, self.batch)


SINGLE = Workload("single", 12_000, 1)
BATCHED = Workload("batched", 200_000, 100)
APPEND_SINGLE = "append, 1 event per transaction"
APPEND_BATCHED = "append, 100 events per transaction"
READ_ALL = "read all"
MODES = (APPEND_SINGLE, APPEND_BATCHED, READ_ALL)
STORED = sum(workload.events + workload.warmup().events for workload in (SINGLE, BATCHED))
"""Events each system holds when it is read."""
SYSTEMS = ("ours", "ceiling", "peer")
BARE = "bare read of our rows"
"""Reference, not a target: ours' own table read with no horizon and asyncpg's default decoding."""

Rates = dict[str, float]
"""Events per second by mode."""
Runs = dict[str, list[Rates]]
"""Each system's rates, round by round."""


@dataclass(frozen=True, slots=True)
class Append:
    stream_id: str
    expected_version: int
    events: list[BenchEvent]
    meta: EventMeta

    def versions(self) -> list[int]:
        return list(range(self.expected_version + 1, self.expected_version + len(self.events) + 1))

    def payloads(self) -> list[str]:
        return [event.model_dump_json() for event in self.events]


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    unit: str
    compared_with: str | None = None
    ratio: float | None = None


Work = Callable[[], Awaitable[object]]
Writer = Callable[[list[Append]], Work]
"""Prepares one writer's appends outside the timed region; the returned work does them."""


@dataclass(frozen=True)
class Subject:
    """A system under measurement, ready in a fresh database of its own."""

    url: str
    writer: Writer
    read: Callable[[], Awaitable[int]]
    bare_read: Callable[[], Awaitable[int]] | None = None
    """A bare read of the same rows and columns, for reference (ours only)."""


def plan_writer(key: str, writer: int, workload: Workload) -> list[Append]:
    appends: list[Append] = []
    for k in range(workload.transactions_per_writer):
        stream, slot = divmod(k, TRANSACTIONS_PER_STREAM)
        stream_id = f"{key}-{writer}-{stream}"
        case_id = uuid5(NAMESPACE_URL, stream_id)
        version = slot * workload.batch
        events = [BenchEvent(case_id=case_id, text=TEXT, n=version + i) for i in range(1, workload.batch + 1)]
        appends.append(Append(stream_id, version, events, EventMeta(actor="bench", correlation_id=case_id)))
    return appends


def plan(workload: Workload) -> list[list[Append]]:
    return [plan_writer(workload.key, writer, workload) for writer in range(WRITERS)]


async def run_writers(writer: Writer, workload: Workload) -> float:
    """Seconds for all writers to do the workload."""
    works = [writer(appends) for appends in plan(workload)]
    gc.collect()
    start = time.perf_counter()
    await asyncio.gather(*(work() for work in works))
    return time.perf_counter() - start


async def append_rate(writer: Writer, workload: Workload) -> float:
    await run_writers(writer, workload.warmup())
    return workload.events / await run_writers(writer, workload)


async def read_rate(read: Callable[[], Awaitable[int]]) -> float:
    gc.collect()
    start = time.perf_counter()
    count = await read()
    seconds = time.perf_counter() - start
    if count != STORED:
        raise RuntimeError(f"read {count} events of {STORED}")
    return count / seconds


def database_url(admin_url: str, name: str) -> str:
    return urlsplit(admin_url)._replace(path=f"/{name}").geturl()


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def fresh_database(admin_url: str, name: str, resources: AsyncExitStack) -> str:
    """An empty database, dropped when `resources` close."""
    await drop_database(admin_url, name)
    resources.push_async_callback(drop_database, admin_url, name)
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
        with suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return database_url(admin_url, name)


async def vacuum(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def ours_writer(store: EventStore) -> Writer:
    def prepare(appends: list[Append]) -> Work:
        async def work() -> None:
            for append in appends:
                await store.append(
                    append.stream_id, append.events, meta=append.meta, expected_version=append.expected_version
                )

        return work

    return prepare


async def read_ours(store: EventStore) -> int:
    count, position = 0, Position()
    while page := await store.read_all(position, limit=PAGE):
        count += len(page)
        position = page[-1].position
    return count


async def open_ours(admin_url: str, resources: AsyncExitStack) -> Subject:
    url = await fresh_database(admin_url, "bench_ours", resources)
    await migrate(url, "bench")
    pool = await create_pool(url, "bench", min_size=WRITERS, max_size=POOL_SIZE)
    resources.push_async_callback(pool.close)
    store = EventStore(pool, EventTypes([BenchEvent]))
    return Subject(url, ours_writer(store), lambda: read_ours(store), lambda: read_bare(pool))


BARE_READ = """SELECT event_id, stream_id, version, type, schema_version, occurred_at, recorded_at, actor,
    correlation_id, causation_id, traceparent, tracestate, data, transaction_id, global_position FROM events
    WHERE (transaction_id, global_position) > ($1, $2) ORDER BY transaction_id, global_position LIMIT $3"""


async def read_bare(pool: asyncpg.Pool) -> int:
    """Our events as stored, every column decoded by asyncpg as it does by default, no horizon."""
    count, last = 0, (0, 0)
    while rows := await pool.fetch(BARE_READ, *last, PAGE):
        count += len(rows)
        last = (rows[-1][13], rows[-1][14])
    return count


CEILING_TABLE = """CREATE TABLE ceiling (
    id bigserial PRIMARY KEY, stream_id text, version int, data jsonb, UNIQUE (stream_id, version))"""
CEILING_INSERT_ONE = "INSERT INTO ceiling (stream_id, version, data) VALUES ($1, $2, $3)"
CEILING_INSERT_MANY = """INSERT INTO ceiling (stream_id, version, data)
    SELECT * FROM unnest($1::text[], $2::int[], $3::jsonb[])"""
CEILING_READ = "SELECT * FROM ceiling WHERE id > $1 ORDER BY id LIMIT $2"


def ceiling_writer(pool: asyncpg.Pool) -> Writer:
    def prepare(appends: list[Append]) -> Work:
        if all(len(append.events) == 1 for append in appends):
            rows = [(append.stream_id, append.expected_version + 1, append.payloads()[0]) for append in appends]

            async def insert_rows() -> None:
                for row in rows:
                    await pool.execute(CEILING_INSERT_ONE, *row)

            return insert_rows
        batches = [
            ([append.stream_id] * len(append.events), append.versions(), append.payloads()) for append in appends
        ]

        async def insert_batches() -> None:
            for batch in batches:
                await pool.execute(CEILING_INSERT_MANY, *batch)

        return insert_batches

    return prepare


async def read_ceiling(pool: asyncpg.Pool) -> int:
    count, last = 0, 0
    while rows := await pool.fetch(CEILING_READ, last, PAGE):
        count += len(rows)
        last = rows[-1][0]
    return count


async def open_ceiling(admin_url: str, resources: AsyncExitStack) -> Subject:
    url = await fresh_database(admin_url, "bench_ceiling", resources)
    pool = await create_pool(url, "public", min_size=WRITERS, max_size=POOL_SIZE)
    resources.push_async_callback(pool.close)
    await pool.execute(CEILING_TABLE)
    return Subject(url, ceiling_writer(pool), lambda: read_ceiling(pool))


def peer_datastore(url: str) -> PostgresDatastore:
    parts = urlsplit(url)
    return PostgresDatastore(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        pool_size=WRITERS,
        max_overflow=POOL_SIZE - WRITERS,
        originator_id_type="text",
    )


def stored_events(append: Append) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=append.stream_id, originator_version=version, topic=PEER_TOPIC, state=payload.encode()
        )
        for version, payload in zip(append.versions(), append.payloads(), strict=True)
    ]


def peer_writer(recorder: PostgresApplicationRecorder, threads: ThreadPoolExecutor) -> Writer:
    def prepare(appends: list[Append]) -> Work:
        batches = [stored_events(append) for append in appends]

        def insert_all() -> None:
            for batch in batches:
                recorder.insert_events(batch)

        return lambda: asyncio.get_running_loop().run_in_executor(threads, insert_all)

    return prepare


def read_peer(recorder: PostgresApplicationRecorder) -> int:
    count, last = 0, 0
    while page := recorder.select_notifications(last, PAGE, inclusive_of_start=False):
        count += len(page)
        last = page[-1].id
    return count


async def open_peer(admin_url: str, resources: AsyncExitStack) -> Subject:
    url = await fresh_database(admin_url, "bench_peer", resources)
    datastore = peer_datastore(url)
    resources.callback(datastore.close)
    recorder = PostgresApplicationRecorder(datastore)
    await asyncio.to_thread(recorder.create_table)
    threads = resources.enter_context(ThreadPoolExecutor(WRITERS))
    return Subject(url, peer_writer(recorder, threads), lambda: asyncio.to_thread(read_peer, recorder))


OPENERS: dict[str, Callable[[str, AsyncExitStack], Awaitable[Subject]]] = {
    "ours": open_ours,
    "ceiling": open_ceiling,
    "peer": open_peer,
}


async def measure_round(admin_url: str) -> dict[str, Rates]:
    """Every system in turn, measurement by measurement, so that those compared run close in time."""
    rates: dict[str, Rates] = {system: {} for system in (*SYSTEMS, BARE)}
    async with AsyncExitStack() as resources:
        subjects = {system: await OPENERS[system](admin_url, resources) for system in SYSTEMS}
        for mode, workload in ((APPEND_SINGLE, SINGLE), (APPEND_BATCHED, BATCHED)):
            for system, subject in subjects.items():
                rates[system][mode] = await append_rate(subject.writer, workload)
        for subject in subjects.values():
            await vacuum(subject.url)
        for system, subject in subjects.items():
            rates[system][READ_ALL] = await read_rate(subject.read)
        if bare := subjects["ours"].bare_read:
            rates[BARE] = {READ_ALL: await read_rate(bare)}
    return rates


def paired_ratio(runs: Runs, system: str, versus: str, mode: str) -> float:
    """The median of the rounds' ratios: within a round the systems ran back to back."""
    return median(mine[mode] / theirs[mode] for mine, theirs in zip(runs[system], runs[versus], strict=True))


def measurements(runs: Runs) -> list[Measurement]:
    """Ours and the peer compared with the ceiling, mode by mode."""
    results: list[Measurement] = []
    for mode in MODES:
        ceiling = Measurement(f"ceiling: {mode}", median(rates[mode] for rates in runs["ceiling"]), UNIT)
        results.append(ceiling)
        for system in ("ours", "peer"):
            value = median(rates[mode] for rates in runs[system])
            ratio = paired_ratio(runs, system, "ceiling", mode)
            results.append(Measurement(f"{system}: {mode}", value, UNIT, ceiling.name, ratio))
    value = median(rates[READ_ALL] for rates in runs[BARE])
    ratio = paired_ratio(runs, BARE, "ceiling", READ_ALL)
    results.append(Measurement(f"{BARE}: {READ_ALL}", value, UNIT, f"ceiling: {READ_ALL}", ratio))
    return results


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def memory() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return "unknown"


async def server_facts(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        facts = {"PostgreSQL": str(await conn.fetchval("SELECT version()"))}
        for setting in ("shared_buffers", "fsync", "synchronous_commit"):
            facts[setting] = str(await conn.fetchval(f"SHOW {setting}"))
        return facts
    finally:
        await conn.close()


def code_version() -> str:
    """The commit measured, and whether the event store's code differed from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "casekit", "schemas", "services", "bench")
    return f"{commit}, with uncommitted changes" if changed else commit


def environment(server: dict[str, str], code: str, load: tuple[float, float]) -> list[tuple[str, str]]:
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Code", code),
        ("Machine", f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM"),
        ("Python", platform.python_version()),
        ("PostgreSQL", server["PostgreSQL"]),
        (
            "PostgreSQL settings",
            ", ".join(f"{name}={server[name]}" for name in ("shared_buffers", "fsync", "synchronous_commit")),
        ),
        ("asyncpg", package_version("asyncpg")),
        ("eventsourcing", f"{package_version('eventsourcing')} (psycopg {package_version('psycopg')})"),
        ("Load average (1 min) before and after", f"{load[0]:.2f}, {load[1]:.2f} (the bench's own processes count)"),
        ("Command", f"`{COMMAND}`"),
    ]


def rate_text(value: float) -> str:
    return f"{value:,.0f}"


def ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def find(results: Sequence[Measurement], name: str) -> Measurement:
    return next(result for result in results if result.name == name)


def results_table(results: Sequence[Measurement], runs: Runs) -> list[str]:
    lines = ["| Measurement | events/s | vs ceiling | vs peer | every round |", "|---|---:|---:|---:|---:|"]
    for result in results:
        system, _, mode = result.name.partition(": ")
        versus_peer = paired_ratio(runs, system, "peer", mode) if system == "ours" else None
        rounds = " / ".join(rate_text(rates[mode]) for rates in runs[system])
        lines.append(
            f"| {result.name} | {rate_text(result.value)} | {ratio_text(result.ratio)} | {ratio_text(versus_peer)}"
            f" | {rounds} |"
        )
    return lines


def targets_table(results: Sequence[Measurement]) -> list[str]:
    lines = ["| Target | Result | |", "|---|---:|---|"]
    for mode, target in ((APPEND_SINGLE, APPEND_TARGET), (APPEND_BATCHED, APPEND_TARGET), (READ_ALL, READ_TARGET)):
        ratio = find(results, f"ours: {mode}").ratio or 0.0
        lines.append(f"| ours: {mode} ≥ {target:.2f} of ceiling | {ratio:.2f} | {verdict(ratio >= target)} |")
    return lines


def reference_line(runs: Runs) -> str:
    ratio = paired_ratio(runs, "ours", BARE, READ_ALL)
    return (
        f"Reference, no target: ours reads all at {ratio:.2f} of the bare read of its own rows (the same 15"
        " columns, asyncpg's default decoding, no xid horizon): the gap to the ceiling is the envelope's width."
    )


METHOD = f"""\
- **ours**: `casekit.eventstore.EventStore.append` (one guarded `INSERT … SELECT` per transaction: first
  write of its transaction, expected version checked, ADR 0008) and `read_all` (gap-free, ADR 0002) in
  pages of {PAGE:,}, rows as `RecordedEvent`; pool of {POOL_SIZE} asyncpg connections.
- **ceiling**: bare asyncpg, with a pool made as ours is (`casekit.db.create_pool`), on `ceiling(id
  bigserial primary key, stream_id text, version int, data jsonb, unique (stream_id, version))`: one
  autocommit `INSERT` per event, or one `INSERT … SELECT FROM unnest(…)` per 100 events; read with
  `SELECT * FROM ceiling WHERE id > $1 ORDER BY id LIMIT {PAGE}`. The ceiling reads its 4 columns, ours
  reads the 15 an event carries (ids, type, versions, instants, actor, causation, trace, data, position):
  the ratio is what the envelope and the gap-free order cost together, not like for like.
- **peer**: `eventsourcing` `PostgresApplicationRecorder` (text originator ids; its table lock gives a
  gap-free order, as ours does) with `insert_events` from {WRITERS} threads; read with
  `select_notifications` in pages of {PAGE:,}.
- {WRITERS} concurrent writers per system; each appends new versions to streams of its own,
  {TRANSACTIONS_PER_STREAM} transactions per stream. {SINGLE.events:,} events at 1 per transaction,
  {BATCHED.events:,} at 100 per transaction, after a short warm-up. The same event JSON everywhere
  (`BenchEvent`, {PAYLOAD_BYTES} bytes); events for all systems, and the ceiling's and peer's rows, are
  built before the clock starts; ours serialises inside `append`.
- Reading covers every event the system holds ({STORED:,}, counted), after `VACUUM ANALYZE`.
- **bare read of our rows** (reference, no target): ours' `events` table read in the same order and pages
  with every column as stored and decoded by asyncpg's defaults, without the xid horizon.
- {ROUNDS} rounds; each gives every system a fresh database, then runs each measurement on
  every system in turn. Rates are the median round; a ratio is the median of the rounds' ratios,
  as the systems compared ran back to back within a round.
- Client and server share the machine's cores, and anything else running on it.
"""


def render_section(results: Sequence[Measurement], runs: Runs, facts: list[tuple[str, str]], seconds: float) -> str:
    lines = ["## The event store", ""]
    lines += [f"- {label}: {value}" for label, value in facts]
    lines += [f"- Duration: {seconds:.0f} s", "", "### Method", "", METHOD, "### Results", ""]
    lines += results_table(results, runs)
    lines += ["", "### Targets", ""]
    lines += targets_table(results)
    lines += ["", reference_line(runs)]
    return "\n".join(lines) + "\n"


def merge_section(report: str, section: str) -> str:
    """The report with our section replaced, or added; other benchmarks' sections are kept."""
    block = f"{SECTION_START}\n{section}{SECTION_END}"
    if SECTION_START in report and SECTION_END in report:
        head, _, rest = report.partition(SECTION_START)
        return head + block + rest.partition(SECTION_END)[2]
    return f"{report.rstrip()}\n\n{block}\n"


def merge_results(results: Sequence[Measurement]) -> list[dict[str, object]]:
    """Our measurements, then those of other benchmarks already in the file."""
    ours = [asdict(result) for result in results]
    existing: list[dict[str, object]] = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    names = {result.name for result in results}
    return ours + [entry for entry in existing if entry.get("name") not in names]


def write_outputs(results: Sequence[Measurement], runs: Runs, facts: list[tuple[str, str]], seconds: float) -> None:
    RESULTS.write_text(json.dumps(merge_results(results), indent=2, ensure_ascii=False) + "\n")
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    REPORT.write_text(merge_section(report, render_section(results, runs, facts, seconds)))


async def measure_all(admin_url: str) -> Runs:
    runs: Runs = {system: [] for system in (*SYSTEMS, BARE)}
    for number in range(1, ROUNDS + 1):
        rates = await measure_round(admin_url)
        runs[BARE].append(rates[BARE])
        for system in SYSTEMS:
            runs[system].append(rates[system])
            summary = "; ".join(f"{mode} {rate_text(rates[system][mode])}" for mode in MODES)
            print(f"round {number}, {system}: {summary} ({UNIT})", flush=True)
        print(f"round {number}, {BARE}: {rate_text(rates[BARE][READ_ALL])} ({UNIT})", flush=True)
    return runs


async def bench(admin_url: str, code: str, load_before: float) -> None:
    start = time.perf_counter()
    runs = await measure_all(admin_url)
    results = measurements(runs)
    facts = environment(await server_facts(admin_url), code, (load_before, os.getloadavg()[0]))
    write_outputs(results, runs, facts, time.perf_counter() - start)
    print("\n".join(targets_table(results)))
    print(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")


def main() -> None:
    code, load_before = code_version(), os.getloadavg()[0]
    with start_stack(RUN_DIR) as stack:
        asyncio.run(bench(stack.database_url, code, load_before))


if __name__ == "__main__":
    main()
