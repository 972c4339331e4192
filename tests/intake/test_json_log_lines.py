"""Every line a service process writes is one JSON object (issue 8, defect 9).

Most of Intake's `report.submitted` lines were console text: its module-level loggers were bound
before `setup_logging` configured structlog (casekit/logs.py). These start the real processes, as
`make run` does, with stdout and stderr in one log, and read every line back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from devstack.ports import free_port
from devstack.stack import Stack
from tests.conftest import ROOT, bearer, eventually, service_env
from tests.intake.conftest import report


async def ready(client: httpx.AsyncClient, url: str) -> None:
    try:
        reply = await client.get(f"{url}/readyz", timeout=1)
    except httpx.TransportError as error:
        raise AssertionError(f"{url} unreachable") from error
    assert reply.status_code == 200


async def run_service(name: str, env: dict[str, str], log: Path, traffic: Any = None) -> list[dict[str, Any]]:
    """Start `services.<name>.main`, send it traffic, stop it with SIGTERM; every log line, parsed."""
    port = free_port()
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"services.{name}.main",
            env={**env, f"{name.upper()}_PORT": str(port), f"{name.upper()}_DRAIN_SECONDS": "0"},
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, headers=bearer()) as client:
            await eventually(lambda: ready(client, url), within=60)
            if traffic:
                await traffic(client)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
    return json_lines(name, log)


def json_lines(name: str, log: Path) -> list[dict[str, Any]]:
    parsed = []
    for number, line in enumerate(log.read_bytes().splitlines(), start=1):
        try:
            parsed.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            pytest.fail(f"{name} log line {number} is not JSON: {line.decode(errors='replace')!r}")
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


async def intake_traffic(client: httpx.AsyncClient) -> None:
    for number in range(3):
        reply = await client.post("/v1/reports", json=report(external_id=f"LOG-{number}"))
        assert reply.status_code == 201, reply.text
    assert (await client.post("/v1/reports", json=report(channel="fax"))).status_code == 422
    assert (await client.post("/open311/v2/requests.json", data={"service_code": "01002"})).status_code == 403
    assert (await client.get("/v1/reports/no-such-case")).status_code == 404


async def test_every_intake_log_line_is_json_including_each_report_submitted(
    stack: Stack, database: str, topics_for: str, tmp_path: Path
) -> None:
    env = {**os.environ, **service_env(stack, database, topics_for, "intake")}

    lines = await run_service("intake", env, tmp_path / "intake.log", intake_traffic)

    submitted = [line for line in lines if line["event"] == "report.submitted"]
    assert len(submitted) == 3
    assert {line["service"] for line in submitted} == {"intake"}
    assert all(len(line["trace_id"]) == 32 for line in submitted)
    assert next(line["event"] for line in lines if line.get("service") == "intake") == "service.started"


@pytest.mark.parametrize("name", ["dispatch", "closure", "analytics"])
async def test_every_log_line_of_the_other_services_is_json(
    stack: Stack, database: str, topics_for: str, tmp_path: Path, name: str
) -> None:
    env = {**os.environ, **service_env(stack, database, topics_for, name)}

    lines = await run_service(name, env, tmp_path / f"{name}.log")

    events = [line["event"] for line in lines if line.get("service") == name]
    assert events[0] == "service.started"
    assert events[-1] == "service.stopped"
