"""`make run`: the whole system on one machine, with demo reports, until Ctrl-C.

PostgreSQL and Kafka come from the environment or start here; topics are created; the
four services start as their own processes; demo reports flow through; then we wait.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaProducer

from casekit.kafka.admin import ensure_topics
from devstack.demo import DEMO_REPORTS
from devstack.keys import demo_open311_key, dev_secrets, open311_hint
from devstack.pg_roles import provision_dev
from devstack.stack import RUN_DIR, Stack, start_stack
from schemas.topics import ALL_TOPICS, REPORTS_HOTLINE

SERVICES = {"intake": 8001, "dispatch": 8002, "closure": 8003, "analytics": 8004}


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def port_of(name: str) -> int:
    return int(os.environ.get(f"{name.upper()}_PORT", SERVICES[name]))


def service_environment(stack: Stack) -> dict[str, str]:
    """What every service process gets: the environment, the local secrets it lacks, the stack."""
    return {
        **os.environ,
        **dev_secrets(),
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
    }


def database_urls(stack: Stack) -> dict[str, str]:
    """Each service's DATABASE_URL: its own role on the server we started (provisioned now),
    else the environment's URL for all (ADR 0011)."""
    if stack.postgres is None:
        return dict.fromkeys(SERVICES, stack.database_url)
    return asyncio.run(provision_dev(stack.database_url, SERVICES))


def own_environment(name: str, databases: dict[str, str]) -> dict[str, str]:
    """What one service gets on top of the shared environment."""
    return {"DATABASE_URL": databases[name]}


STACK_ENV = RUN_DIR / "stack.env"


def write_stack_env(stack: Stack, databases: dict[str, str]) -> None:
    """Where the running stack is, for commands beside it (`make rebuild`); removed on exit.

    `<SERVICE>_DATABASE_URL` is the service's own role, password included: readable by its owner only.
    """
    lines = [f"{name.upper()}_DATABASE_URL={url}" for name, url in databases.items()]
    lines.append(f"KAFKA_BOOTSTRAP_SERVERS={stack.bootstrap_servers}")
    STACK_ENV.unlink(missing_ok=True)
    fd = os.open(STACK_ENV, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write("\n".join(lines) + "\n")


def start_services(env: dict[str, str], databases: dict[str, str]) -> list[Service]:
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = []
    for name in SERVICES:
        log = logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}.main"],
                env={**env, **own_environment(name, databases)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(Service(name, port_of(name), process, log))
    return started


async def wait_ready(services: list[Service], within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        for service in services:
            while True:
                if service.process.poll() is not None:
                    raise RuntimeError(f"{service.name} exited; see {service.log}")
                try:
                    if (await client.get(f"{service.url}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{service.name} not ready after {within}s; see {service.log}")
                await asyncio.sleep(0.2)


async def load_demo(stack: Stack, intake: str, analytics: str) -> list[dict[str, Any]]:
    """Post the demo reports (one over the hotline's Kafka topic) and wait for their traces."""
    async with httpx.AsyncClient() as client:
        case_ids = []
        for report in DEMO_REPORTS[:-1]:
            reply = await client.post(f"{intake}/v1/reports", json=report, headers={"X-Actor": "demo"})
            if reply.status_code not in (200, 201):
                raise RuntimeError(f"a demo report was refused: {reply.text}")
            case_ids.append(reply.json()["case_id"])
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(REPORTS_HOTLINE.name, orjson.dumps(DEMO_REPORTS[-1]))
        finally:
            await producer.stop()
        traces = []
        for case_id in case_ids:
            for _ in range(100):
                reply = await client.get(f"{analytics}/v1/cases/{case_id}/trace")
                if reply.status_code == 200 and len(reply.json()["events"]) == 3:
                    traces.append(reply.json())
                    break
                await asyncio.sleep(0.1)
        return traces


def stop_services(services: list[Service]) -> None:
    for service in services:
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)
    for service in services:
        try:
            service.process.wait(30)
        except subprocess.TimeoutExpired:
            service.process.kill()


def print_welcome(
    services: list[Service], traces: list[dict[str, Any]], seconds: float, open311_key: str | None
) -> None:
    print(f"\nAll four services are up ({seconds:.0f}s). Demo cases and their traces:")
    for trace in traces:
        steps = " -> ".join(f"{e['service']}:{e['type'].split('.')[1]}" for e in trace["events"])
        print(f"  {trace['case_id']}  {steps}")
    for service in services:
        print(f"  {service.name:<9} {service.url}/docs   log: {service.log}")
    intake, analytics = services[0].url, services[3].url
    print(
        f"""
Post a report and read its trace:
  curl -s -X POST {intake}/v1/reports -H 'content-type: application/json' \\
    -d '{{"channel":"grid","category_code":"01002","description":"井盖破损","location":{{"lat":34.26,"lon":117.19}}}}'
  curl -s {analytics}/v1/cases/<case_id>/trace
Open311 GeoReport v2: {intake}/open311/v2/discovery.json   Search reports: {intake}/v1/reports
{open311_hint(intake, open311_key)}
Metrics: {intake}/metrics   Ctrl-C stops everything.""",
        flush=True,
    )


def main() -> None:
    started = time.monotonic()
    stop_requested = False

    def request_stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with start_stack(RUN_DIR) as stack:
        asyncio.run(ensure_topics(stack.bootstrap_servers, ALL_TOPICS))
        env = service_environment(stack)
        databases = database_urls(stack)
        write_stack_env(stack, databases)
        services = start_services(env, databases)
        try:
            asyncio.run(wait_ready(services))
            traces = asyncio.run(load_demo(stack, services[0].url, services[3].url))
            print_welcome(services, traces, time.monotonic() - started, demo_open311_key(env))
            while not stop_requested and all(s.process.poll() is None for s in services):
                time.sleep(0.5)
        finally:
            print("\nStopping services, Kafka and PostgreSQL...", flush=True)
            STACK_ENV.unlink(missing_ok=True)
            stop_services(services)


if __name__ == "__main__":
    main()
