"""Local secrets for `make run`: made once under .run/, reused on the next run, never committed.

Production sets its own (`INTAKE_PII_KEY`, `OPEN311_API_KEYS`); whatever the environment names
wins over these.
"""

from __future__ import annotations

import base64
import os
import secrets
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path

from devstack.stack import RUN_DIR

OPEN311_CLIENT = "demo"
"""The demo key's client name: its reports carry the actor `open311:demo`."""
OPEN311_DEMO_FORM = {
    "service_code": "01002",
    "lat": "34.2680",
    "long": "117.1920",
    "description": "污水井盖破损",
}
"""What the printed curl line posts: a sewage manhole cover (污水井盖) in 鼓楼区, WGS-84."""


def dev_secret(run_dir: Path, name: str, make: Callable[[], str]) -> str:
    """The secret kept in `run_dir/name`, made by `make` the first time, readable by its owner only."""
    path = run_dir / name
    if not path.exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        # Created 0600 from the start: never readable by others, not even for an instant.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(make())
    return path.read_text().strip()


def dev_pii_key(run_dir: Path = RUN_DIR) -> str:
    """A key for reporters' contacts (base64 of 32 bytes, as INTAKE_PII_KEY)."""
    return dev_secret(run_dir, "pii.key", lambda: base64.b64encode(os.urandom(32)).decode())


def dev_open311_key(run_dir: Path = RUN_DIR) -> str:
    """An Open311 api_key for the demo client: without one, every POST requests is refused."""
    return dev_secret(run_dir, "open311.key", lambda: secrets.token_urlsafe(24))


def dev_secrets(run_dir: Path = RUN_DIR, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The services' secrets: the environment's where it names them, else the local ones."""
    local = {
        "INTAKE_PII_KEY": dev_pii_key(run_dir),
        "OPEN311_API_KEYS": f"{OPEN311_CLIENT}:{dev_open311_key(run_dir)}",
    }
    return {name: environ.get(name, value) for name, value in local.items()}


def demo_open311_key(configured: Mapping[str, str], run_dir: Path = RUN_DIR) -> str | None:
    """The demo key if the services run with it, None when the environment brought its own keys."""
    key = dev_open311_key(run_dir)
    return key if configured.get("OPEN311_API_KEYS") == f"{OPEN311_CLIENT}:{key}" else None


def open311_hint(intake_url: str, key: str | None) -> str:
    """How to post an Open311 request, with a ready curl line when the demo key is in use."""
    if key is None:
        return "Open311 POST requests: use one of the keys in your OPEN311_API_KEYS."
    fields = {"api_key": key, **OPEN311_DEMO_FORM}
    data = " ".join(f"--data-urlencode {shlex.quote(f'{name}={value}')}" for name, value in fields.items())
    return (
        f"Open311 POST requests with the demo api_key (kept in {RUN_DIR / 'open311.key'}):\n"
        f"  curl -s -X POST {intake_url}/open311/v2/requests.json {data}"
    )
