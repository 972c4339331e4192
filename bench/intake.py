"""Reports through Intake's native API: throughput and latency, measured from a separate process.

Starts PostgreSQL and Kafka (or uses DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS), runs Intake as
its own process, and drives it with `bench.http_load`. Adds its section to BENCHMARKS.md and
its measurements to bench/results.json. Targets (Intake issue): at least 1,000 reports/s, and
p99 under 50 ms at 200 reports/s, on 2 cores.
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
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from casekit.kafka.admin import ensure_topics
from cityconfig.city import DEFAULT_CITY, load_city
from devstack.ports import free_port
from devstack.stack import Stack, start_stack
from schemas.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-intake"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- intake:start -->", "<!-- intake:end -->"
CATEGORIES = ["01002", "01003", "02001", "03001", "04002", "06010", "06011", "06012", "09001", "08001"]
WARM_UP, MAX_REQUESTS, RATE, RATE_SECONDS, CONCURRENCY = 300, 4000, 200.0, 15, 32
TARGET_RATE, TARGET_P99_MS = 1000.0, 50.0


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


async def fresh_database(admin_url: str) -> str:
    name = f"bench_intake_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return f"{admin_url.rpartition('/')[0]}/{name}"


def start_intake(stack: Stack, database: str, prefix: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "INTAKE_PORT": str(port),
        "INTAKE_PII_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "services.intake.main"], env=env, stdout=out, stderr=out)


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"intake at {url} never became ready")


def load(url: str, requests: list[dict[str, Any]], *flags: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(requests, file, ensure_ascii=False)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.http_load", f"{url}/v1/reports", file.name, *flags],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        os.unlink(file.name)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(url: str) -> dict[str, dict[str, Any]]:
    load(url, bodies(WARM_UP, seed=0), "--concurrency", "8")
    fastest = load(url, bodies(MAX_REQUESTS, seed=1), "--concurrency", str(CONCURRENCY))
    steady = load(url, bodies(int(RATE * RATE_SECONDS), seed=2), "--rate", str(RATE))
    return {"max": fastest, "rate": steady}


def row(label: str, run: dict[str, Any]) -> str:
    return f"| {label} | {run['rate']:,.0f} | {run['p50_ms']} | {run['p99_ms']} | {run['errors']} |"


def section(runs: dict[str, dict[str, Any]]) -> str:
    fastest, steady = runs["max"], runs["rate"]
    rate_ok = fastest["rate"] >= TARGET_RATE
    p99_ok = steady["p99_ms"] < TARGET_P99_MS
    return "\n".join([
        START,
        "## Intake: reports through the native API",
        "",
        "- Command: `make bench` (`python -m bench.intake`); Intake runs as one process (one uvicorn worker),",
        "  the load comes from another process (`bench.http_load`, HTTP/1.1 keep-alive) on the same 2 cores,",
        "  beside PostgreSQL and Kafka. Each request validates the report against the demo city, checks",
        "  idempotency keys and duplicates, takes a case number and appends the event with its read model.",
        f"- As fast as possible: {MAX_REQUESTS:,} reports, {CONCURRENCY} connections, after {WARM_UP} warm-up.",
        f"- Fixed rate: {RATE:.0f} reports/s for {RATE_SECONDS} s, open loop; latency counted from when each",
        "  request was due.",
        "",
        "| Measurement | reports/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        row("as fast as possible", fastest),
        row(f"at {RATE:.0f}/s", steady),
        "",
        "| Target | Result | |",
        "|---|---:|---|",
        f"| ≥ {TARGET_RATE:,.0f} reports/s | {fastest['rate']:,.0f} | {'PASS' if rate_ok else 'MISS'} |",
        f"| p99 < {TARGET_P99_MS:.0f} ms at {RATE:.0f}/s | {steady['p99_ms']} ms | {'PASS' if p99_ok else 'MISS'} |",
        END,
    ])  # fmt: skip


def write(runs: dict[str, dict[str, Any]]) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    text = re.sub(f"\n*{START}.*?{END}", "", text, flags=re.S).rstrip() + "\n\n" + section(runs) + "\n"
    REPORT.write_text(text)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if not str(r.get("name", "")).startswith("intake:")]
    fastest, steady = runs["max"], runs["rate"]
    results += [
        {"name": "intake: reports, as fast as possible", "value": fastest["rate"], "unit": "reports/s",
         "compared_with": "target 1000 reports/s", "ratio": round(fastest["rate"] / TARGET_RATE, 3)},
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
    with start_stack(RUN_DIR) as stack:
        database = asyncio.run(fresh_database(stack.database_url))
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        asyncio.run(ensure_topics(stack.bootstrap_servers, ALL_TOPICS, prefix))
        port = free_port()
        intake = start_intake(stack, database, prefix, port, RUN_DIR / "intake.log")
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url)
            runs = measure(url)
        finally:
            intake.terminate()
            intake.wait(30)
    write(runs)
    print(section(runs))


if __name__ == "__main__":
    main()
