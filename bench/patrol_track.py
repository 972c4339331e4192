"""巡查轨迹 Officers' GPS tracks through Intake's patrol use case, against a bare append of the same batches.

Starts PostgreSQL (or uses DATABASE_URL) and gives each system a fresh database. `DEVICES` officers
patrol at once; each device sends `BATCHES` batches of `BATCH` points (WGS-84 here; converted and
located in its grid like any), one batch after another as a device does, every device at once.
Ours: `record_track` as the HTTP route calls it (its stream locked, read, decided, appended with its
view row, in one transaction). The peer: the same batches as JSON rows `INSERT`ed into a table of
their own, with the same connections and concurrency: what the database alone costs. Then every
patrol is finished (the summary of its track). Checked: every point recorded exactly once. No
target was set (issue 14); the section gives points/s, batch latency and the ratio to the peer.

`BENCH_TRACK_BATCHES=5 python -m bench.patrol_track` is a smoke test: it prints and writes nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import asyncpg
import orjson

from bench.eventstore import code_version, cpu_model, memory, server_facts
from bench.intake import fresh_database
from casekit.access.principal import Principal
from casekit.db import create_pool, migrate
from casekit.envelope import utc_now
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from casekit.metrics import Metrics
from cityconfig import load_city
from cityconfig.city import DEFAULT_CITY, City
from devstack.postgres import EmbeddedPostgres
from schemas.patrol import PATROL_EVENTS, PatrolFinish, PatrolStart, TrackBatch, TrackPointIn
from services.intake.adapters.crypto import ContactCipher
from services.intake.adapters.hotline_jobs import HotlineConfig, SqlHotlineOutbox
from services.intake.adapters.officers import StaticOfficers
from services.intake.adapters.submissions import SqlSubmissions
from services.intake.adapters.views.grid_watches import SqlGridWatches
from services.intake.adapters.views.patrols import SqlPatrols
from services.intake.adapters.views.reports import SqlReports
from services.intake.application import patrols
from services.intake.application.context import Intake
from services.intake.domain.duplicates import DuplicatePolicy
from services.intake.domain.patrol import OfficerDuty
from services.intake.main import MIGRATIONS
from services.intake.settings import IntakeSettings

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-patrol-track"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- patrol-track:start -->", "<!-- patrol-track:end -->"
FULL = 40
DEVICES = int(os.environ.get("BENCH_TRACK_DEVICES", 16))
BATCHES = int(os.environ.get("BENCH_TRACK_BATCHES", FULL))
BATCH = int(os.environ.get("BENCH_TRACK_BATCH", 25))
SCHEMA = "intake"
PEER_TABLE = "CREATE TABLE peer_track (id bigserial PRIMARY KEY, patrol_id uuid NOT NULL, points jsonb NOT NULL)"


@dataclass(frozen=True)
class Run:
    points: int
    seconds: float
    latencies_ms: list[float]
    recorded: int

    @property
    def rate(self) -> float:
        return self.points / self.seconds

    def percentile(self, q: int) -> float:
        return quantiles(self.latencies_ms, n=100)[q - 1] if len(self.latencies_ms) > 1 else self.latencies_ms[0]


def officers(city: City) -> tuple[StaticOfficers, list[tuple[str, list[tuple[float, float]]]]]:
    """`DEVICES` officers, each fixed to a grid of the demo city, and a walk through it per officer."""
    grids = sorted(code for code, j in city.jurisdictions.items() if j.level == "grid")
    duties, walks = {}, []
    for n in range(DEVICES):
        grid, subject = grids[n % len(grids)], f"bench-officer-{n}"
        duties[subject] = OfficerDuty(subject, f"bench-unit-{n}", None, (grid,))
        lat, lon = city.representative_point(grid)
        walks.append((subject, [(lat + 1e-6 * (i % 50), lon + 1e-6 * (i % 70)) for i in range(BATCHES * BATCH)]))
    return StaticOfficers(duties), walks


def context(pool: asyncpg.Pool, url: str, city: City, directory: StaticOfficers) -> Intake:
    key = base64.b64encode(bytes(32)).decode()  # the service's defaults otherwise; no Kafka is used here
    settings = IntakeSettings.model_validate(
        {"DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "INTAKE_PII_KEY": key}
    )
    store = EventStore(pool, EventTypes(list(PATROL_EVENTS)), Metrics())
    cipher = ContactCipher(settings.pii_key.get_secret_value(), settings.pii_key_id)
    policy = DuplicatePolicy(settings.duplicate_distance_m, timedelta(minutes=settings.duplicate_window_minutes))
    return Intake(store, SqlSubmissions(store), SqlReports(), city, cipher, policy,
                  SqlHotlineOutbox(HotlineConfig.of(settings)), directory, SqlPatrols(), SqlGridWatches())  # fmt: skip


def batches(walk: list[tuple[float, float]], start: datetime) -> list[TrackBatch]:
    points = [TrackPointIn(seq=i, at=start + timedelta(seconds=5 * i), lat=lat, lon=lon)
              for i, (lat, lon) in enumerate(walk)]  # fmt: skip
    return [TrackBatch(points=points[b * BATCH : (b + 1) * BATCH]) for b in range(BATCHES)]


async def ours(url: str, city: City) -> tuple[Run, float]:
    """Every device's batches through `record_track`; then each patrol finished (ms per finish, p50)."""
    directory, walks = officers(city)
    pool = await create_pool(url, SCHEMA, max_size=DEVICES)
    try:
        intake = context(pool, url, city, directory)
        start = utc_now() - timedelta(seconds=5 * BATCHES * BATCH + 60)
        who = {subject: Principal(subject, "person", frozenset({"officer"})) for subject, _ in walks}
        ids = []
        for subject, _ in walks:
            row, _ = await patrols.start_patrol(PatrolStart(started_at=start), intake, who[subject])
            ids.append(row.patrol_id)
        latencies: list[float] = []

        async def device(patrol_id: uuid.UUID, subject: str, walk: list[tuple[float, float]]) -> None:
            for batch in batches(walk, start):
                sent = time.perf_counter()
                await patrols.record_track(patrol_id, batch, intake, who[subject])
                latencies.append((time.perf_counter() - sent) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(device(i, s, w) for i, (s, w) in zip(ids, walks, strict=True)))
        seconds = time.perf_counter() - began
        finishes = []
        for patrol_id, (subject, _) in zip(ids, walks, strict=True):
            sent = time.perf_counter()
            await patrols.finish_patrol(patrol_id, PatrolFinish(), intake, who[subject])
            finishes.append((time.perf_counter() - sent) * 1000)
        recorded = await pool.fetchval(
            "SELECT sum(jsonb_array_length(data->'points')) FROM events WHERE type = 'intake.TrackPointsRecorded'"
        )
        return Run(DEVICES * BATCHES * BATCH, seconds, latencies, int(recorded or 0)), median(finishes)
    finally:
        await pool.close()


async def peer(url: str, city: City) -> Run:
    """The same batches, as JSON, `INSERT`ed by the same number of devices on as many connections."""
    _, walks = officers(city)
    pool = await create_pool(url, SCHEMA, max_size=DEVICES)
    try:
        await pool.execute(PEER_TABLE)
        start, latencies = utc_now(), []

        async def device(walk: list[tuple[float, float]]) -> None:
            patrol_id = uuid.uuid4()
            for batch in batches(walk, start):
                body = orjson.dumps([p.model_dump(mode="json") for p in batch.points]).decode()
                sent = time.perf_counter()
                await pool.execute("INSERT INTO peer_track (patrol_id, points) VALUES ($1, $2::jsonb)", patrol_id, body)
                latencies.append((time.perf_counter() - sent) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(device(w) for _, w in walks))
        seconds = time.perf_counter() - began
        recorded = await pool.fetchval("SELECT sum(jsonb_array_length(points)) FROM peer_track")
        return Run(DEVICES * BATCHES * BATCH, seconds, latencies, int(recorded or 0))
    finally:
        await pool.close()


async def fresh(admin_url: str, label: str) -> str:
    url = await fresh_database(admin_url, f"bench_track_{label}")
    await migrate(url, SCHEMA, MIGRATIONS)
    return url


async def bench(admin_url: str) -> tuple[Run, float, Run]:
    city = load_city(DEFAULT_CITY)
    measured, finish_ms = await ours(await fresh(admin_url, "ours"), city)
    print(f"ours: {measured.rate:,.0f} points/s, batch p50 {measured.percentile(50):.1f} ms, "
          f"p99 {measured.percentile(99):.1f} ms; finish p50 {finish_ms:.1f} ms", flush=True)  # fmt: skip
    bare = await peer(await fresh(admin_url, "peer"), city)
    print(f"peer: {bare.rate:,.0f} points/s, batch p50 {bare.percentile(50):.1f} ms", flush=True)
    return measured, finish_ms, bare


def section(m: Run, finish_ms: float, bare: Run, facts: dict[str, str], code: str, load: tuple[float, float],
            seconds: float) -> str:  # fmt: skip
    exact = m.recorded == m.points and bare.recorded == bare.points
    return "\n".join([
        START,
        "## Patrol tracks (巡查轨迹)",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Code: {code}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM",
        f"- PostgreSQL: {facts['PostgreSQL'].split(' on ')[0]}; fsync={facts['fsync']},"
        f" synchronous_commit={facts['synchronous_commit']} (same machine)",
        f"- Load average (1 min) before and after: {load[0]:.2f}, {load[1]:.2f}",
        "- Command: `make bench` (`python -m bench.patrol_track`)",
        f"- Duration: {seconds:.0f} s",
        "",
        "### Method",
        "",
        f"- {DEVICES} officers patrol at once, each sending {BATCHES} batches of {BATCH} points one after",
        "  another: ours through `record_track` (the route's use case: the patrol's stream locked, read,",
        "  the new points decided, appended with the view row, one transaction per batch); the peer",
        "  `INSERT`s the same batches as JSON rows, on as many connections. Then each patrol is finished.",
        f"- Checked: {m.recorded:,} of {m.points:,} points recorded by ours, {bare.recorded:,} by the peer.",
        "",
        "### Results",
        "",
        "| Measure | Ours | Peer (bare INSERT) | Ours / peer |",
        "|---|---:|---:|---:|",
        f"| points/s | {m.rate:,.0f} | {bare.rate:,.0f} | {m.rate / bare.rate:.2f} |",
        f"| batch p50 / p99, ms | {m.percentile(50):.1f} / {m.percentile(99):.1f} |"
        f" {bare.percentile(50):.1f} / {bare.percentile(99):.1f} | |",
        f"| finish of a {BATCHES * BATCH:,}-point patrol, p50 ms | {finish_ms:.1f} | — | |",
        f"| every point recorded exactly once | {'yes' if exact else 'no'} | | |",
        "",
        "No target was set for tracks; a patrol's stream is read whole for each batch, so a batch costs",
        "more as its patrol grows (the p99).",
        END,
    ])  # fmt: skip


def write(m: Run, bare: Run, text: str) -> None:
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    report = re.sub(f"\n*{START}.*?{END}", "", report, flags=re.S).rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    stored: list[dict[str, Any]] = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    stored = [r for r in stored if not str(r.get("name", "")).startswith("patrol tracks:")]
    stored.append(
        {
            "name": "patrol tracks: points recorded",
            "value": round(m.rate),
            "unit": "points/s",
            "compared_with": "bare INSERT of the same batches",
            "ratio": round(m.rate / bare.rate, 2),
        }
    )
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    code, load_before, started = code_version(), os.getloadavg()[0], time.perf_counter()
    url = os.environ.get("DATABASE_URL", "")
    server = None if url else EmbeddedPostgres(RUN_DIR / "pg").start()
    try:
        admin_url = url or server.url  # type: ignore[union-attr]
        measured, finish_ms, bare = asyncio.run(bench(admin_url))
        facts = asyncio.run(server_facts(admin_url))
    finally:
        if server:
            server.stop()
    exact = measured.recorded == measured.points and bare.recorded == bare.points
    print(f"exactly once: {exact}; ours / peer: {measured.rate / bare.rate:.2f}")
    if BATCHES == FULL:
        load = (load_before, os.getloadavg()[0])
        text = section(measured, finish_ms, bare, facts, code, load, time.perf_counter() - started)
        write(measured, bare, text)
        print(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    if not exact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
