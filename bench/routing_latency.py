"""End to end: reports posted to Intake over HTTP, timed until Dispatch's routing reaches Kafka.

Starts PostgreSQL and Kafka (or uses DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS), gives the run a
fresh database and topic prefix, and starts Intake and Dispatch as `make run` does: their own
processes (one uvicorn worker each), their own PostgreSQL roles and Kafka users, callers
verified against a demo issuer's keys. `bench.routing_load` (its own process) posts grid
reports at a fixed rate, open loop, and keeps each answer's instant; `bench.routing_observe`
reads both domain topics as the city operations platform and keeps when each case's
`ReportReceived` and `CaseRouted` (or `CaseUnroutable`) arrived. Then the rate is stepped up
until lag is no longer bounded. Adds its section to BENCHMARKS.md and its figures to
bench/results.json. Target (issue 10): p99 accepted → routed under 100 ms at 200 reports/s.

    python -m bench.routing_latency [--seconds 60] [--step-seconds 15] [--max-steps 6] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from shapely import contains_xy

from bench.intake import BENCH_ISSUER, fresh_database, wait_ready
from bench.routing_observe import CpuMeter, Observer, observing
from bench.routing_report import Phase, judge, summarise, write
from cityconfig.city import DEFAULT_CITY, load_city
from devstack.kafka_acls import provision
from devstack.pg_roles import provision_dev
from devstack.ports import free_port
from devstack.stack import Stack, start_stack
from schemas.access import SHIFT_LEAD
from schemas.topics import ALL_TOPICS, DISPATCH_EVENTS, INTAKE_EVENTS

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-routing"
RATE, SECONDS, STEP_SECONDS, MAX_STEPS, STEP = 200.0, 60.0, 15.0, 6, 200.0
WARM_UP_RATE, WARM_UP_SECONDS = 100.0, 5.0
NEVER_ROUTED_SECONDS = 10.0
"""A case not routed this long after its report was accepted counts as never routed."""
DRAIN_SECONDS = 60.0
SERVICES = ("intake", "dispatch")
# What the services get besides their database, Kafka user and port. The load comes from one
# caller and one address; the duplicate radius (并单) is 1 mm so random points open a case
# each (the search for a duplicate still runs).
BENCH_ENV = {
    "ACCESS_JWKS_FILE": str(BENCH_ISSUER.jwks_file),
    "ACCESS_ISSUER": BENCH_ISSUER.issuer,
    "ACCESS_AUDIENCE": BENCH_ISSUER.audience,
    "ACCESS_RATE_PER_CALLER": "100000000/minute",
    "ACCESS_RATE_PER_ADDRESS": "100000000/minute",
    "INTAKE_DUPLICATE_DISTANCE_M": "0.001",
}


def bodies(count: int, seed: int) -> list[dict[str, Any]]:
    """Grid members' reports (no on-site confirmation: routed at once) at uniformly random points
    inside random unit grids of the demo city, in every category of its catalogue."""
    city = load_city(DEFAULT_CITY)
    grids = [j.geometry for j in city.jurisdictions.values() if j.level == "grid"]
    categories = sorted(city.categories)
    rng = random.Random(seed)
    made = []
    for i in range(count):
        grid = rng.choice(grids)
        west, south, east, north = grid.bounds
        while not contains_xy(grid, lon := rng.uniform(west, east), lat := rng.uniform(south, north)):
            pass
        made.append({
            "channel": "grid", "category_code": rng.choice(categories),
            "description": f"bench routing {seed}-{i}", "location": {"lat": lat, "lon": lon},
        })  # fmt: skip
    return made


def start_service(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", f"services.{name}.main"], env=env, stdout=out, stderr=out)


def start_services(stack: Stack, prefix: str) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    """Intake and Dispatch as `make run` starts them: own roles (ADR 0011), own Kafka users (ADR 0010)."""
    database = asyncio.run(fresh_database(stack.database_url, "bench_routing"))
    urls = asyncio.run(provision_dev(database, SERVICES, RUN_DIR)) if stack.postgres else dict.fromkeys(
        SERVICES, database)  # fmt: skip
    started = {}
    for name in SERVICES:
        port = free_port()
        env = {
            **os.environ, **BENCH_ENV, **stack.kafka_user(name).environment(),
            "DATABASE_URL": urls[name], "KAFKA_TOPIC_PREFIX": prefix, f"{name.upper()}_PORT": str(port),
            "INTAKE_PII_KEY": base64.b64encode(os.urandom(32)).decode(),
        }  # fmt: skip
        started[name] = (start_service(name, env, RUN_DIR / f"{name}.log"), port)
    return started


async def post(url: str, rate: float, seconds: float, seed: int) -> list[list[Any]]:
    """`bench.routing_load` at `rate` for `seconds`: [due, accepted, status, case_id, linked] per report."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(bodies(round(rate * seconds), seed), file, ensure_ascii=False)
    try:
        load = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.routing_load", f"{url}/v1/reports", file.name, "--rate", str(rate),
            stdout=subprocess.PIPE,
            env={**os.environ, "BENCH_AUTHORIZATION": f"Bearer {BENCH_ISSUER.person(SHIFT_LEAD)}"},
        )  # fmt: skip
        out, _ = await load.communicate()
        if load.returncode:
            raise RuntimeError(f"bench.routing_load exited {load.returncode}")
    finally:
        os.unlink(file.name)
    answers: list[list[Any]] = json.loads(out)
    return answers


async def routed_by(observer: Observer, cases: list[str], deadline: float) -> bool:
    """Whether every case was routed by `deadline` (wall clock); returns as soon as they are."""
    # The observer's books are looked at ten times a second: the resolution this wait needs.
    while time.time() < deadline and not all(case in observer.routed for case in cases):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    return all(case in observer.routed for case in cases)


async def phase(url: str, observer: Observer, meter: CpuMeter, rate: float, seconds: float, seed: int) -> Phase:
    """One load at `rate`, then up to NEVER_ROUTED_SECONDS for its cases to be routed; then up to
    DRAIN_SECONDS more, uncounted, so that the next load starts without this one's backlog."""
    meter.start()
    answers = await post(url, rate, seconds, seed)
    cores = meter.stop()
    cases = [case for *_, case, linked in answers if case and not linked]
    last = max((answer[1] for answer in answers), default=0.0)
    await routed_by(observer, cases, last + NEVER_ROUTED_SECONDS)
    run = summarise(rate, seconds, answers, observer, cores)
    run.drained = await routed_by(observer, cases, time.time() + DRAIN_SECONDS)
    return run


async def measure(stack: Stack, url: str, pids: dict[str, tuple[int, bool]], prefix: str, args: Any) -> dict[
        str, Any]:  # fmt: skip
    topics = (prefix + INTAKE_EVENTS.name, prefix + DISPATCH_EVENTS.name)
    meter = CpuMeter(pids)
    async with observing(stack.kafka_user("city-ops"), topics) as observer:
        warm = await phase(url, observer, meter, WARM_UP_RATE, WARM_UP_SECONDS, seed=1)
        print(f"warm-up: {warm.line()}", flush=True)
        main = await phase(url, observer, meter, RATE, args.seconds, seed=2)
        print(f"main: {main.line()}", flush=True)
        steps: list[Phase] = []
        rate, good, bad = (RATE + STEP, RATE, 0.0) if judge(main) is None else (RATE / 2, 0.0, RATE)
        while len(steps) < args.max_steps and (not bad or bad - good > STEP / 2) and (steps or [main])[-1].drained:
            steps.append(await phase(url, observer, meter, rate, args.step_seconds, seed=10 + len(steps)))
            print(f"step: {steps[-1].line()}", flush=True)
            good, bad = (rate, bad) if judge(steps[-1]) is None else (good, rate)
            rate = rate + STEP if not bad else (good + bad) / 2  # past the first failure: halve the gap once
    return {"warm": warm, "main": main, "steps": steps}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=SECONDS, help="the fixed-rate run at 200/s")
    parser.add_argument("--step-seconds", type=float, default=STEP_SECONDS)
    parser.add_argument("--max-steps", type=int, default=MAX_STEPS)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    load_before, started = os.getloadavg()[0], time.perf_counter()
    with start_stack(RUN_DIR) as stack:
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        asyncio.run(provision(stack, ALL_TOPICS, prefix))
        services = start_services(stack, prefix)
        try:
            for _, port in services.values():
                wait_ready(f"http://127.0.0.1:{port}")
            pids = {name: (process.pid, False) for name, (process, _) in services.items()}
            if stack.postgres and stack.postgres.process:
                pids["postgres"] = (stack.postgres.process.pid, True)
            if stack.kafka and stack.kafka.process:
                pids["kafka"] = (stack.kafka.process.pid, False)
            url = f"http://127.0.0.1:{services['intake'][1]}"
            runs = asyncio.run(measure(stack, url, pids, prefix, args))
        finally:
            for process, _ in services.values():
                process.terminate()
            for process, _ in services.values():
                process.wait(30)
    write(runs, (load_before, os.getloadavg()[0]), time.perf_counter() - started, dry=args.no_write)


if __name__ == "__main__":
    main()
