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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaProducer

from casekit.settings import TopicSettings
from cityconfig.city import DEFAULT_CITY, load_city
from devstack.credentials import CREDENTIALS, credentials_hint, demo_credentials, write_credentials
from devstack.demo import DEMO_REPORTS
from devstack.demo_loop import HOTLINE_LOOP, close_the_loop
from devstack.demo_patrol import walk_a_patrol
from devstack.issuer import DemoIssuer
from devstack.kafka_acls import provision
from devstack.keys import dev_secrets, import_demo_keys, open311_hint
from devstack.pg_roles import provision_dev
from devstack.private_files import write_private
from devstack.stack import RUN_DIR, Stack, start_stack
from schemas.legacy_import import LegacyCase
from schemas.topics import REPORTS_HOTLINE, all_topics
from tools import hotline_sim, import_legacy, legacy_samples

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


ISSUER_PORT = int(os.environ.get("ISSUER_PORT", 8009))
ISSUER_URL = f"http://127.0.0.1:{ISSUER_PORT}"
HOTLINE_SIM_PORT = int(os.environ.get("HOTLINE_SIM_PORT", 8090))
"""The 12345 hotline simulator (tools/hotline_sim.py): Intake's hotline messages go to its /inbox."""


def service_environment(stack: Stack, issuer: DemoIssuer) -> dict[str, str]:
    """What every service process gets: the environment, the local secrets it lacks, the stack,
    and (unless the environment names the city's own identity provider) the demo issuer's JWKS URL."""
    own_provider = "ACCESS_JWKS_URL" in os.environ or "ACCESS_JWKS_FILE" in os.environ
    trusted = {} if own_provider else {"ACCESS_JWKS_URL": f"{ISSUER_URL}/.well-known/jwks.json"}
    return {
        **trusted,
        "INTAKE_HOTLINE_ENDPOINT_URL": f"http://127.0.0.1:{HOTLINE_SIM_PORT}/inbox",
        "ACCESS_ISSUER": issuer.issuer,
        "ACCESS_AUDIENCE": issuer.audience,
        **os.environ,
        **dev_secrets(),
        "DATABASE_URL": stack.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
    }


def kafka_environment(stack: Stack, name: str) -> dict[str, str]:
    """What service `name` alone gets: its own Kafka user (ADR 0010)."""
    return stack.kafka_user(name).environment()


def database_urls(stack: Stack) -> dict[str, str]:
    """Each service's DATABASE_URL: its own role on the server we started (provisioned now),
    else the environment's URL for all (ADR 0011)."""
    if stack.postgres is None:
        return dict.fromkeys(SERVICES, stack.database_url)
    return asyncio.run(provision_dev(stack.database_url, SERVICES))


STACK_ENV = RUN_DIR / "stack.env"


def write_stack_env(stack: Stack, databases: dict[str, str]) -> None:
    """Where the running stack is, for commands beside it (`make rebuild`); removed on exit.

    `<SERVICE>_DATABASE_URL` is that service's own role (ADR 0011). 0600: it holds passwords.
    """
    postgres = "".join(f"{name.upper()}_DATABASE_URL={url}\n" for name, url in databases.items())
    # Kafka as the admin: a rebuild may be any service's.
    kafka = "".join(f"{name}={value}\n" for name, value in stack.kafka_admin.environment().items())
    write_private(STACK_ENV, postgres + kafka)


def start_issuer(logs: Path) -> Service:
    """The demo identity provider: JWKS and client-credentials tokens (devstack/issuer_http.py)."""
    log = logs / "issuer.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.issuer_http", "--port", str(ISSUER_PORT)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Service("issuer", ISSUER_PORT, process, log)


def start_services(env: dict[str, str], stack: Stack, databases: dict[str, str]) -> list[Service]:
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = [start_issuer(logs)]
    for name in SERVICES:
        log = logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}.main"],
                env={**env, **kafka_environment(stack, name), "DATABASE_URL": databases[name]},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(Service(name, port_of(name), process, log))
    return started


def start_hotline_simulator(env: dict[str, str], intake: str, credentials: dict[str, Any]) -> Service:
    """The 12345 platform's stand-in: takes our messages, decides returns and extensions, calls back.

    It pushes two work orders at start (they wait for a grid member's confirmation on the dashboard)."""
    log = RUN_DIR / "logs" / "hotline-simulator.log"
    command = [sys.executable, "-m", "tools.hotline_sim", "--intake", intake, "--port", str(HOTLINE_SIM_PORT),
               "--work-orders", "2"]  # fmt: skip
    secrets = {"HOTLINE_API_KEY": credentials["hotline_api_key"],
               "HOTLINE_SIGNING_SECRET": env["INTAKE_HOTLINE_SIGNING_SECRET"]}  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, env={**env, **secrets}, stdout=out, stderr=subprocess.STDOUT)
    return Service("hotline-simulator", HOTLINE_SIM_PORT, process, log)


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


async def prepare_credentials(intake_database: str, issuer: DemoIssuer) -> dict[str, Any]:
    """The demo systems' keys in Intake's store (as Intake's own role), every demo person's token, written out."""
    conn = await asyncpg.connect(intake_database, server_settings={"search_path": "intake"})
    try:
        keys = await import_demo_keys(conn)
    finally:
        await conn.close()
    credentials = demo_credentials(issuer, keys)
    write_credentials(credentials)
    return credentials


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def load_demo(stack: Stack, urls: dict[str, str], credentials: dict[str, Any]) -> list[dict[str, Any]]:
    """Post the demo reports (one over the hotline's Kafka topic) and wait for their traces.

    The hotline's reports come with its API key, the others from the shift lead (值班长). The first
    grid report is then taken through the whole loop (devstack/demo_loop.py)."""
    intake, analytics = urls["intake"], urls["analytics"]
    async with httpx.AsyncClient() as client:
        case_ids, first_is_new = [], True
        reader = _bearer(credentials["analyst"]["token"])
        for report in DEMO_REPORTS[:-1]:
            secret = (
                credentials["hotline_api_key"] if report["channel"] == "hotline" else credentials["shift_lead"]["token"]
            )
            reply = await client.post(f"{intake}/v1/reports", json=report, headers=_bearer(secret))
            if reply.status_code not in (200, 201):
                raise RuntimeError(f"a demo report was refused: {reply.text}")
            case_ids.append(reply.json()["case_id"])
            first_is_new = first_is_new and (len(case_ids) > 1 or reply.status_code == 201)
        producer = AIOKafkaProducer(**stack.kafka_user("hotline").client_kwargs())  # as the 12345 hotline
        await producer.start()
        try:
            await producer.send_and_wait(REPORTS_HOTLINE.name, orjson.dumps(DEMO_REPORTS[-1]))
        finally:
            await producer.stop()
        if first_is_new:
            loop = await close_the_loop(client, urls, credentials, case_ids[0])
            print(f"Demo case {case_ids[0]} taken through the loop: {' -> '.join(loop)}", flush=True)
        else:  # the data of an earlier `make run` (.run/): its demo case went through the loop then
            print(f"Demo case {case_ids[0]}: taken through the loop on an earlier run", flush=True)
        work_order_case, pushed_now = await push_work_order(client, intake, credentials)
        if pushed_now:
            talk = await close_the_loop(client, urls, credentials, work_order_case, HOTLINE_LOOP)
            print(f"12345 work order {DEMO_WORK_ORDER} ({work_order_case}): {' -> '.join(talk)}; the simulator "
                  "calls the resident back", flush=True)  # fmt: skip
        else:
            print(f"12345 work order {DEMO_WORK_ORDER} ({work_order_case}): pushed on an earlier run today", flush=True)
        case_ids.append(work_order_case)
        city_path = Path(os.environ.get("CITY_CONFIG", DEFAULT_CITY))
        print(await walk_a_patrol(client, intake, credentials["officer"]["token"], city_path), flush=True)
        traces = []
        for case_id in case_ids:
            for _ in range(100):
                reply = await client.get(f"{analytics}/v1/cases/{case_id}/trace", headers=reader)
                if reply.status_code == 200 and len(reply.json()["events"]) >= 3:
                    traces.append(reply.json())
                    break
                await asyncio.sleep(0.1)
        return traces


DEMO_WORK_ORDER = f"12345-{datetime.now(UTC):%Y%m%d}-DEMO01"


async def push_work_order(client: httpx.AsyncClient, intake: str, credentials: dict[str, Any]) -> tuple[str, bool]:
    """A 12345 work order in grid B, as the hotline pushes it (tools/hotline_sim.py's shape); its case, and
    whether it is new (the same number pushed again is the same case)."""
    body = hotline_sim.work_order(DEMO_WORK_ORDER, content="小区门口暴露垃圾多日未清运 (12345 演示工单)")
    reply = await client.post(f"{intake}/hotline/v1/work-orders", json=body,
                              headers=_bearer(credentials["hotline_api_key"]))  # fmt: skip
    if reply.status_code not in (200, 201):
        raise RuntimeError(f"the demo work order was refused: {reply.text}")
    case_id: str = reply.json()["case_id"]
    return case_id, reply.status_code == 201


DEMO_HISTORY_DAYS = int(os.environ.get("DEMO_HISTORY_DAYS", 60))


async def import_demo_history(databases: dict[str, str]) -> int:
    """Months of imported cases (tools/legacy_samples.py) so the dashboard has something to show."""
    city = load_city(Path(os.environ.get("CITY_CONFIG", DEFAULT_CITY)))
    rows = legacy_samples.demo_history(datetime.now(UTC), days=DEMO_HISTORY_DAYS, per_day=16, city=city)
    cases = [LegacyCase.model_validate(row) for row in rows]
    urls = {service: databases[service] for service in import_legacy.SERVICES}
    outcome = await import_legacy.import_cases(cases, urls, city)
    return outcome.imported


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
    services: list[Service], traces: list[dict[str, Any]], seconds: float, credentials: dict[str, Any]
) -> None:
    print(f"\nAll four services are up ({seconds:.0f}s). Demo cases and their traces:")
    for trace in traces:
        steps = " -> ".join(f"{e['service']}:{e['type'].split('.')[1]}" for e in trace["events"])
        print(f"  {trace['case_id']}  {steps}")
    for service in services:
        print(f"  {service.name:<9} {service.url}/docs   log: {service.log}")
    url = {service.name: service.url for service in services}
    intake, analytics = url["intake"], url["analytics"]
    print(
        f"""
{credentials_hint(CREDENTIALS)}
Post a report as grid member A and read its trace as the analyst:
  curl -s -X POST {intake}/v1/reports -H 'content-type: application/json' \\
    -H "Authorization: Bearer $(jq -r .grid_member_a.token {CREDENTIALS})" \\
    -d '{{"channel":"grid","category_code":"01002","description":"井盖破损","location":{{"lat":34.268,"lon":117.192}}}}'
  curl -s -H "Authorization: Bearer $(jq -r .analyst.token {CREDENTIALS})" {analytics}/v1/cases/<case_id>/trace
Open311 GeoReport v2: {intake}/open311/v2/discovery.json   Search reports: {intake}/v1/reports
{open311_hint(intake, credentials["open311_api_key"])}
The city operations platform's client-credentials token (secret in {RUN_DIR / "issuer" / "clients.json"}):
  curl -s -X POST {url["issuer"]}/token -d grant_type=client_credentials -d client_id=city-ops \\
    -d client_secret=$(jq -r '.["city-ops"].secret' {RUN_DIR / "issuer" / "clients.json"})
The 12345 hotline simulator takes our messages at {url["hotline-simulator"]}/inbox; what it got, and what we sent:
  curl -s {url["hotline-simulator"]}/messages
  curl -s -H "Authorization: Bearer $(jq -r .hotline_api_key {CREDENTIALS})" \\
    {intake}/hotline/v1/work-orders/{DEMO_WORK_ORDER}/messages
Patrols (巡查): 万通社区's contact board (公示牌) {intake}/v1/communities/320302001002/contacts.html; today's coverage:
  curl -s -H "Authorization: Bearer $(jq -r .analyst.token {CREDENTIALS})" \\
    "{analytics}/v1/patrols/coverage?area=320302001&day=$(TZ=Asia/Shanghai date +%F)"
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
    issuer = DemoIssuer()
    with start_stack(RUN_DIR) as stack:
        asyncio.run(provision(stack, all_topics(TopicSettings().channel_retention_days)))
        env = service_environment(stack, issuer)
        databases = database_urls(stack)
        write_stack_env(stack, databases)
        services = start_services(env, stack, databases)
        try:
            asyncio.run(wait_ready(services))
            credentials = asyncio.run(prepare_credentials(databases["intake"], issuer))
            url = {service.name: service.url for service in services}
            services.append(start_hotline_simulator(env, url["intake"], credentials))
            asyncio.run(wait_ready(services[-1:]))
            traces = asyncio.run(load_demo(stack, url, credentials))
            if DEMO_HISTORY_DAYS > 0:
                print(f"Importing {DEMO_HISTORY_DAYS} days of demo history (make import-legacy FILE=… for yours)...")
                print(f"Imported {asyncio.run(import_demo_history(databases))} demo cases.", flush=True)
            print_welcome(services, traces, time.monotonic() - started, credentials)
            while not stop_requested and all(s.process.poll() is None for s in services):
                time.sleep(0.5)
        finally:
            print("\nStopping services, Kafka and PostgreSQL...", flush=True)
            STACK_ENV.unlink(missing_ok=True)
            stop_services(services)


if __name__ == "__main__":
    main()
