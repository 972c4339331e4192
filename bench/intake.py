"""Reports through Intake's native API, against a minimal FastAPI + asyncpg peer, from a separate process.

Starts PostgreSQL and Kafka (or uses DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS). Each round gives
Intake and the peer (`bench.http_peer`) a fresh database, runs each as its own process (one
uvicorn worker) and drives both the same way with `bench.http_load`, back to back; after each
run the rows are counted (nothing lost). Adds its section to BENCHMARKS.md and its
measurements to bench/results.json. Targets (issue 8): at least 1,000 reports/s and half the
peer's rate, p99 under 50 ms at 200 reports/s, on 2 cores.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

import asyncpg
import httpx

from bench.eventstore import code_version, cpu_model, memory
from cityconfig.city import DEFAULT_CITY, load_city
from devstack.issuer import DemoIssuer
from devstack.kafka_acls import provision
from devstack.ports import free_port
from devstack.stack import Stack, start_stack
from schemas.access import SHIFT_LEAD
from schemas.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-intake"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- intake:start -->", "<!-- intake:end -->"
CATEGORIES = ["01002", "01003", "02001", "03001", "04002", "06010", "06011", "06012", "09001", "08001"]
WARM_UP, MAX_REQUESTS, RATE, RATE_SECONDS, CONCURRENCY, ROUNDS = 300, 4000, 200.0, 15, 32, 3
TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 1000.0, 0.5, 50.0
SYSTEMS = ("intake", "peer")
Run = dict[str, Any]
"""One load's summary from bench.http_load: requests, errors, rate, p50_ms, p99_ms."""


def bodies(count: int, seed: int) -> list[dict[str, Any]]:
    """Reports at grid points all over the demo city, in varied categories and channels."""
    city = load_city(DEFAULT_CITY)
    grids = [code for code, j in city.jurisdictions.items() if j.level == "grid"]
    rng = random.Random(seed)
    made = []
    for i in range(count):
        lat, lon = city.representative_point(rng.choice(grids))
        channel = rng.choice(["grid", "grid", "hotline", "public"])
        made.append({
            "channel": channel,
            "category_code": rng.choice(CATEGORIES),
            "description": f"bench report {seed}-{i}",
            "location": {"lat": lat + rng.uniform(-2e-4, 2e-4), "lon": lon + rng.uniform(-2e-4, 2e-4)},
            **({"external_id": f"B{seed}-{i}"} if channel == "hotline" else {}),
        })  # fmt: skip
    return made


async def fresh_database(admin_url: str, prefix: str = "bench_intake") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return f"{admin_url.rpartition('/')[0]}/{name}"


async def count_rows(database: str, queries: dict[str, str]) -> dict[str, int]:
    conn = await asyncpg.connect(database)
    try:
        return {name: int(await conn.fetchval(query)) for name, query in queries.items()}
    finally:
        await conn.close()


BENCH_ISSUER = DemoIssuer(Path(tempfile.mkdtemp(prefix="bench-issuer-")))


def start_intake(stack: Stack, database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    asyncio.run(provision(stack, ALL_TOPICS, prefix))
    env = {
        **os.environ,
        "DATABASE_URL": database,
        **stack.kafka_user("intake").environment(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "INTAKE_PORT": str(port),
        "INTAKE_PII_KEY": base64.b64encode(os.urandom(32)).decode(),
        # Callers are verified as in production; the load comes from one caller and one address.
        "ACCESS_JWKS_FILE": str(BENCH_ISSUER.jwks_file),
        "ACCESS_RATE_PER_CALLER": "100000000/minute",
        "ACCESS_RATE_PER_ADDRESS": "100000000/minute",
    }
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "services.intake.main"], env=env, stdout=out, stderr=out)


def start_peer(_: Stack, database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "bench.http_peer", database, str(port)], stdout=out, stderr=out)


STARTERS: dict[str, Callable[[Stack, str, int, Path], subprocess.Popen[bytes]]] = {
    "intake": start_intake,
    "peer": start_peer,
}
ROWS = {
    "intake": {"reports": "SELECT count(*) FROM intake.reports", "events": "SELECT count(*) FROM intake.events"},
    "peer": {"rows": "SELECT count(*) FROM peer_reports"},
}


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


def load(url: str, requests: list[dict[str, Any]], *flags: str) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(requests, file, ensure_ascii=False)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.http_load", f"{url}/v1/reports", file.name, *flags],
            check=True, capture_output=True, text=True,
            env={**os.environ, "BENCH_AUTHORIZATION": f"Bearer {BENCH_ISSUER.person(SHIFT_LEAD)}"},
        )  # fmt: skip
    finally:
        os.unlink(file.name)
    result: Run = json.loads(done.stdout)
    return result


def measure(system: str, stack: Stack, number: int) -> dict[str, Run]:
    """One system, in a fresh database: warm-up, as fast as possible, at a fixed rate; rows checked."""
    database = asyncio.run(fresh_database(stack.database_url))
    port = free_port()
    server = STARTERS[system](stack, database, port, RUN_DIR / f"{system}-{number}.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        warm = load(url, bodies(WARM_UP, seed=10 * number), "--concurrency", "8")
        runs = {
            "max": load(url, bodies(MAX_REQUESTS, seed=10 * number + 1), "--concurrency", str(CONCURRENCY)),
            "rate": load(url, bodies(int(RATE * RATE_SECONDS), seed=10 * number + 2), "--rate", str(RATE)),
        }
        answered = sum(run["requests"] - run["errors"] for run in (warm, *runs.values()))
        rows = asyncio.run(count_rows(database, ROWS[system]))
        if any(count != answered for count in rows.values()):
            raise RuntimeError(f"{system}: {answered} reports answered, rows {rows}")
        runs["rows"] = {"answered": answered, **rows}
        return runs
    finally:
        server.terminate()
        server.wait(30)


def ratio(rounds: list[dict[str, dict[str, Run]]]) -> float:
    """The median of the rounds' ratios: within a round the two ran back to back."""
    return float(median(r["intake"]["max"]["rate"] / r["peer"]["max"]["rate"] for r in rounds))


def middle(rounds: list[dict[str, dict[str, Run]]], system: str, mode: str) -> Run:
    """The median round's run, by rate (as fast as possible) or by p99 (at a fixed rate)."""
    key = "rate" if mode == "max" else "p99_ms"
    return sorted((r[system][mode] for r in rounds), key=lambda run: run[key])[len(rounds) // 2]


def every(rounds: list[dict[str, dict[str, Run]]], system: str, mode: str, key: str) -> str:
    return " / ".join(f"{r[system][mode][key]:,.0f}" if key == "rate" else str(r[system][mode][key]) for r in rounds)


def rows_text(r: dict[str, dict[str, Run]]) -> str:
    intake, peer = r["intake"]["rows"], r["peer"]["rows"]
    return (
        f"{intake['answered']:,} = {intake['reports']:,}, {intake['events']:,}; {peer['answered']:,} = {peer['rows']:,}"
    )


def row(label: str, run: Run, rounds: str) -> str:
    return f"| {label} | {run['rate']:,.0f} | {run['p50_ms']} | {run['p99_ms']} | {run['errors']} | {rounds} |"


def section(rounds: list[dict[str, dict[str, Run]]], facts: list[tuple[str, str]]) -> str:
    fastest, steady, peer = (
        middle(rounds, "intake", "max"),
        middle(rounds, "intake", "rate"),
        middle(rounds, "peer", "max"),
    )
    share, slow_peer = ratio(rounds), middle(rounds, "peer", "rate")
    verdict = {True: "PASS", False: "MISS"}
    lines = [START, "## Intake: reports through the native API", ""]
    lines += [f"- {label}: {value}" for label, value in facts]
    lines += [
        "",
        "### Method",
        "",
        "- Intake runs as one process (one uvicorn worker), the load comes from another process",
        "  (`bench.http_load`, HTTP/1.1 keep-alive) on the same cores, beside PostgreSQL and Kafka. Each",
        "  request validates the report against the demo city, checks idempotency keys and duplicates,",
        "  takes a case number and appends the event with its read model.",
        "- **peer**: `bench.http_peer`, FastAPI + asyncpg validating the same `ReportSubmission` body and",
        "  inserting one row, served by uvicorn as `casekit.service.serve` serves Intake (uvloop, httptools,",
        "  no access log, one worker) and loaded the same way: the ceiling of our HTTP stack.",
        f"- As fast as possible: {MAX_REQUESTS:,} reports, {CONCURRENCY} connections, after {WARM_UP} warm-up.",
        f"- Fixed rate: {RATE:.0f} reports/s for {RATE_SECONDS} s, open loop; latency counted from when each",
        "  request was due.",
        f"- {ROUNDS} rounds; each gives Intake and the peer a fresh database and runs them back to back.",
        "  Shown: the median round (by rate, or by p99 at the fixed rate); the ratio is the median of the",
        "  rounds' ratios. After each run the rows are counted: Intake's `reports` rows and `events` and",
        "  the peer's rows each equal the requests answered with success.",
        "",
        "### Results",
        "",
        "| Measurement | reports/s | p50 ms | p99 ms | errors | every round |",
        "|---|---:|---:|---:|---:|---:|",
        row("intake: as fast as possible", fastest, every(rounds, "intake", "max", "rate") + " /s"),
        row("peer: as fast as possible", peer, every(rounds, "peer", "max", "rate") + " /s"),
        row(f"intake: at {RATE:.0f}/s", steady, "p99 " + every(rounds, "intake", "rate", "p99_ms") + " ms"),
        row(f"peer: at {RATE:.0f}/s", slow_peer, "p99 " + every(rounds, "peer", "rate", "p99_ms") + " ms"),
        "",
        "Rows counted after each round (answered = reports, events; peer answered = rows): "
        + "; ".join(rows_text(r) for r in rounds) + ".",
        "",
        "### Targets",
        "",
        "| Target | Result | |",
        "|---|---:|---|",
        f"| ≥ {TARGET_RATE:,.0f} reports/s | {fastest['rate']:,.0f} | {verdict[fastest['rate'] >= TARGET_RATE]} |",
        f"| ≥ {TARGET_RATIO} of the peer | {share:.2f} | {verdict[share >= TARGET_RATIO]} |",
        f"| p99 < {TARGET_P99_MS:.0f} ms at {RATE:.0f}/s | {steady['p99_ms']} ms"
        f" | {verdict[steady['p99_ms'] < TARGET_P99_MS]} |",
        END,
    ]  # fmt: skip
    return "\n".join(lines)


def facts(code: str, load: tuple[float, float], seconds: float) -> list[tuple[str, str]]:
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Code", code),
        ("Machine", f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM"),
        ("Load average (1 min) before and after", f"{load[0]:.2f}, {load[1]:.2f}"),
        ("Command", "`make bench` (`python -m bench.intake`)"),
        ("Duration", f"{seconds:.0f} s"),
    ]


def write(rounds: list[dict[str, dict[str, Run]]], text: str) -> None:
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    report = re.sub(f"\n*{START}.*?{END}", "", report, flags=re.S).rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if not str(r.get("name", "")).startswith("intake:")]
    fastest, steady, peer = (
        middle(rounds, "intake", "max"),
        middle(rounds, "intake", "rate"),
        middle(rounds, "peer", "max"),
    )
    results += [
        {"name": "intake: reports, as fast as possible", "value": fastest["rate"], "unit": "reports/s",
         "compared_with": "peer: reports, as fast as possible", "ratio": round(ratio(rounds), 3)},
        {"name": "intake: peer reports, as fast as possible", "value": peer["rate"], "unit": "reports/s",
         "compared_with": None, "ratio": None},
        {"name": "intake: p50 latency, as fast as possible", "value": fastest["p50_ms"], "unit": "ms",
         "compared_with": None, "ratio": None},
        {"name": f"intake: p99 latency at {RATE:.0f}/s", "value": steady["p99_ms"], "unit": "ms",
         "compared_with": "target 50 ms", "ratio": round(steady["p99_ms"] / TARGET_P99_MS, 3)},
        {"name": f"intake: p50 latency at {RATE:.0f}/s", "value": steady["p50_ms"], "unit": "ms",
         "compared_with": None, "ratio": None},
    ]  # fmt: skip
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    code, load_before, started = code_version(), os.getloadavg()[0], time.perf_counter()
    rounds: list[dict[str, dict[str, Run]]] = []
    with start_stack(RUN_DIR) as stack:
        for number in range(1, ROUNDS + 1):
            rounds.append({system: measure(system, stack, number) for system in SYSTEMS})
            for system in SYSTEMS:
                run = rounds[-1][system]
                print(f"round {number}, {system}: {run['max']['rate']:,.0f} reports/s, "
                      f"p99 at {RATE:.0f}/s {run['rate']['p99_ms']} ms, rows {run['rows']}", flush=True)  # fmt: skip
    text = section(rounds, facts(code, (load_before, os.getloadavg()[0]), time.perf_counter() - started))
    write(rounds, text)
    print(text)


if __name__ == "__main__":
    main()
