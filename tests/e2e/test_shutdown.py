"""A service process stops cleanly on SIGTERM: not ready first, then drained and closed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from devstack.ports import free_port
from devstack.stack import Stack
from tests.conftest import ROOT, service_env


def wait_for(url: str, status: int, within: float = 30) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        try:
            reply = httpx.get(url, timeout=1)
            if reply.status_code == status:
                return reply
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} never answered {status}"
        time.sleep(0.1)


async def test_sigterm_turns_readiness_off_then_exits_cleanly(
        stack: Stack, database: str, topics_for: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, **service_env(stack, database, topics_for), "INTAKE_PORT": str(port),
           "INTAKE_DRAIN_SECONDS": "2"}
    log = tmp_path / "intake.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "services.intake.main"], env=env, cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/readyz", 200)

        process.send_signal(signal.SIGTERM)
        draining = wait_for(f"{base}/readyz", 503, within=2)
        exit_code = process.wait(30)
    finally:
        process.kill()

    assert draining.headers["content-type"] == "application/problem+json"
    assert exit_code == 0
    lines = log.read_text()
    assert '"event": "service.stopped"' in lines
    assert lines.index('"event": "service.started"') < lines.index('"event": "service.stopped"')
