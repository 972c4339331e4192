"""A service process stops cleanly on SIGTERM: not ready first, then drained and closed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx

from devstack.ports import free_port
from devstack.stack import Stack
from tests.conftest import ROOT, eventually, service_env


async def readiness(client: httpx.AsyncClient, url: str, status: int) -> httpx.Response:
    try:
        reply = await client.get(url, timeout=1)
    except httpx.TransportError as error:
        raise AssertionError(f"{url} unreachable") from error
    assert reply.status_code == status
    return reply


async def test_sigterm_turns_readiness_off_then_exits_cleanly(
    stack: Stack, database: str, topics_for: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        **service_env(stack, database, topics_for, "intake"),
        "INTAKE_PORT": str(port),
        "INTAKE_DRAIN_SECONDS": "2",
    }
    log = tmp_path / "intake.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.intake.main",
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/readyz"
    try:
        async with httpx.AsyncClient() as client:
            await eventually(lambda: readiness(client, url, 200), within=30)
            process.send_signal(signal.SIGTERM)
            draining = await eventually(lambda: readiness(client, url, 503), within=2)
        exit_code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()

    assert draining.headers["content-type"] == "application/problem+json"
    assert exit_code == 0
    lines = log.read_text()
    assert lines.index('"event": "service.started"') < lines.index('"event": "service.stopped"')
