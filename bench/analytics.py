"""Analytics (统计分析): events projected per second, live and rebuilding; the p95 of each view on
1 million cases; the legacy import's cases per second.

Starts PostgreSQL and Kafka (or uses DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS) and gives each part a
fresh database and private topics.

- Projection: `BENCH_ANALYTICS_CASES` (20,000) whole case histories (bench/analytics_events.py,
  9 events each) appended to the three services' stores and published by their real relays; then
  Analytics' real consumer group (every projection, batched as the service runs it) projects them
  from offset 0, timed from its first handled message to its last; then every projection is
  rebuilt from offset 0 into fresh tables (`casekit.projection_rebuild.rebuild`, as `make rebuild`).
  Target (issue 12): ≥ 50,000 events/s.
- Views and import: bench/analytics_views.py.

`BENCH_ANALYTICS_CASES=2000 python -m bench.analytics` is a smoke test: it prints and writes nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench import analytics_events as history
from bench import analytics_import, analytics_views
from bench.eventstore import code_version, cpu_model, memory, server_facts
from casekit.db import create_pool, migrate
from casekit.kafka.admin import ensure_topics
from casekit.kafka.consumer import Consumer, Subscription
from casekit.kafka.producer import create_producer
from casekit.metrics import Metrics
from casekit.projection import ensure, live_batch, live_handlers, topics_of
from casekit.projection_rebuild import rebuild
from devstack.stack import Stack, start_stack
from schemas.topics import Topic, dead_letter
from services.analytics.adapters.projections import GROUP, PROJECTIONS, TYPES
from services.analytics.main import MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-analytics"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- analytics:start -->", "<!-- analytics:end -->"
FULL = 20_000
CASES = int(os.environ.get("BENCH_ANALYTICS_CASES", FULL))
TARGET_RATE = 50_000.0
SCHEMA = "analytics"


@dataclass
class Projected:
    events: int
    live_s: float
    rebuild_s: dict[str, float] = field(default_factory=dict)
    rebuild_records: dict[str, int] = field(default_factory=dict)

    @property
    def live_rate(self) -> float:
        return self.events / self.live_s

    def rebuild_rate(self, name: str) -> float:
        return self.rebuild_records[name] / self.rebuild_s[name]


async def fresh_database(admin_url: str, name: str) -> str:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return admin_url.rpartition("/")[0] + f"/{name}"


async def project_live(url: str, stack: Stack, prefix: str, events: int) -> float:
    """Analytics' consumer group from offset 0 until its inbox holds every event; the seconds."""
    await migrate(url, SCHEMA, MIGRATIONS)
    pool = await create_pool(url, SCHEMA, max_size=4)
    group = prefix + GROUP
    for projection in PROJECTIONS:
        await ensure(pool, projection, group)
    producer = create_producer(stack.kafka_admin, "bench-analytics-dlq")
    await producer.start()
    subscription = Subscription(
        group=group,
        event_topics=tuple(prefix + topic.name for topic in topics_of(PROJECTIONS)),
        types=TYPES,
        handlers=live_handlers(PROJECTIONS),
        dead_letter_topic=prefix + dead_letter(GROUP).name,
        batch=live_batch(PROJECTIONS),
    )
    consumer = Consumer(subscription, kafka=stack.kafka_admin, pool=pool, producer=producer, metrics=Metrics(),
                        service="analytics")  # fmt: skip
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    first = None
    try:
        while True:
            handled = await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", group)
            if handled and first is None:
                first = time.perf_counter()
            if handled >= events:
                assert first is not None
                return time.perf_counter() - first
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
    finally:
        await consumer.stop()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()
        await pool.close()


async def rebuild_all(url: str, stack: Stack, prefix: str, measured: Projected) -> None:
    pool = await create_pool(url, SCHEMA, max_size=4)
    try:
        for projection in PROJECTIONS:
            read: list[int] = [0]

            async def progress(p: object, read: list[int] = read) -> None:
                read[0] = p.read  # type: ignore[attr-defined]

            started = time.perf_counter()
            await rebuild(projection, pool=pool, kafka=stack.kafka_admin, topic=lambda name: prefix + name,
                          on_progress=progress)  # fmt: skip
            measured.rebuild_s[projection.name] = time.perf_counter() - started
            measured.rebuild_records[projection.name] = read[0]
    finally:
        await pool.close()


async def measure_projection(stack: Stack) -> Projected:
    url = await fresh_database(stack.database_url, "bench_analytics_projection")
    prefix = f"bench-{uuid.uuid4().hex[:6]}."
    wanted = [Topic(prefix + topic.name, topic.partitions) for topic in history.SERVICES.values()]
    await ensure_topics(stack.kafka_admin, [*wanted, Topic(prefix + dead_letter(GROUP).name, 1)])
    counts = await history.append_history(url, CASES)
    print(f"appended {history.total(counts):,} events of {CASES:,} cases", flush=True)
    await history.publish_all(url, stack.kafka_admin, prefix, counts)
    print("published", flush=True)
    events = history.total(counts)
    measured = Projected(events, await project_live(url, stack, prefix, events))
    print(f"live: {measured.live_rate:,.0f} events/s", flush=True)
    await rebuild_all(url, stack, prefix, measured)
    for name in measured.rebuild_s:
        print(f"rebuild {name}: {measured.rebuild_rate(name):,.0f} records/s", flush=True)
    return measured


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def projection_rows(m: Projected) -> list[str]:
    rows = [f"| projected live, every projection, from offset 0 | {m.live_rate:,.0f} events/s | ≥ {TARGET_RATE:,.0f}"
            f" | {verdict(m.live_rate >= TARGET_RATE)} |"]  # fmt: skip
    for name in m.rebuild_s:
        rate = m.rebuild_rate(name)
        rows.append(f"| rebuilt `{name}` from offset 0 | {rate:,.0f} records/s | ≥ {TARGET_RATE:,.0f}"
                    f" | {verdict(rate >= TARGET_RATE)} |")  # fmt: skip
    return rows


def section(m: Projected, extra: list[str], facts: dict[str, str], code: str, load: tuple[float, float],
            seconds: float) -> str:  # fmt: skip
    return "\n".join([
        START,
        "## Analytics: projections, views, legacy import (统计分析)",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Code: {code}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM",
        f"- PostgreSQL: {facts['PostgreSQL'].split(' on ')[0]}; shared_buffers={facts['shared_buffers']},"
        f" fsync={facts['fsync']}, synchronous_commit={facts['synchronous_commit']} (same machine); Kafka on the"
        " same machine",
        f"- Load average (1 min) before and after: {load[0]:.2f}, {load[1]:.2f}",
        "- Command: `make bench` (`python -m bench.analytics`)",
        f"- Duration: {seconds:.0f} s",
        "",
        "### Method",
        "",
        f"- Projection: {CASES:,} whole case histories ({m.events:,} events, {history.EVENTS_PER_CASE} per case,"
        " from the three services' stores through their real relays) projected by Analytics' consumer group",
        f"  (projections: {', '.join(p.name for p in PROJECTIONS)}; each partition's batch in one transaction),",
        "  timed from its first handled message to the last; then each projection rebuilt from offset 0.",
        *extra[:2],
        "",
        "### Results",
        "",
        "| Measure | Value | Target | |",
        "|---|---:|---:|---|",
        *projection_rows(m),
        *extra[2:],
        END,
    ])  # fmt: skip


def write(m: Projected, text: str, more: list[dict[str, object]]) -> None:
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    report = re.sub(f"\n*{START}.*?{END}", "", report, flags=re.S).rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    stored = [r for r in stored if not str(r.get("name", "")).startswith("analytics:")]
    stored.append({"name": "analytics: projected live", "value": round(m.live_rate), "unit": "events/s",
                   "compared_with": "target", "ratio": round(m.live_rate / TARGET_RATE, 3)})  # fmt: skip
    for name in m.rebuild_s:
        stored.append({"name": f"analytics: rebuilt {name}", "value": round(m.rebuild_rate(name)),
                       "unit": "records/s", "compared_with": "target",
                       "ratio": round(m.rebuild_rate(name) / TARGET_RATE, 3)})  # fmt: skip
    RESULTS.write_text(json.dumps([*stored, *more], indent=2, ensure_ascii=False) + "\n")


async def bench(stack: Stack) -> tuple[Projected, list[str], list[dict[str, object]]]:
    projected = await measure_projection(stack)
    views, view_results = await analytics_views.measure_views(
        await fresh_database(stack.database_url, "bench_analytics_views")
    )
    imports, import_results = await analytics_import.measure_import(
        await fresh_database(stack.database_url, "bench_analytics_import")
    )
    # The section takes the method lines first, then the results' rows.
    return projected, [views[0], imports[0], *views[1:], *imports[1:]], [*view_results, *import_results]


def main() -> None:
    code, load_before, started = code_version(), os.getloadavg()[0], time.perf_counter()
    stack = start_stack(RUN_DIR)
    try:
        projected, extra, more = asyncio.run(bench(stack))
        facts = asyncio.run(server_facts(stack.database_url))
    finally:
        stack.stop()
    if CASES == FULL:
        load = (load_before, os.getloadavg()[0])
        write(projected, section(projected, extra, facts, code, load, time.perf_counter() - started), more)
        print(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
