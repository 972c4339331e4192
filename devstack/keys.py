"""Local secrets for `make run`: made once under .run/, reused on the next run, never committed.

Production sets its own `INTAKE_PII_KEY` (whatever the environment names wins) and issues its
systems' API keys with `/v1/admin/api-keys`; the demo's two keys (an Open311 client's and the
hotline's) are imported into Intake's key store once, so they stay the same from run to run.
"""

from __future__ import annotations

import base64
import os
import secrets
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from casekit.access.keys import digest, issue
from casekit.eventstore import Connection
from devstack.private_files import made_once
from devstack.stack import RUN_DIR
from schemas.access import MANAGE_CALLBACKS, READ_REPORTS, SUBMIT_REPORTS

OPEN311_CLIENT = "open311-demo"
"""The demo Open311 key's system: its reports carry the actor `system:open311-demo`."""
HOTLINE_CLIENT = "hotline"
"""The 12345 hotline's system (接诉即办): posts on its channel, reads its cases, follows callbacks."""
OPEN311_DEMO_FORM = {
    "service_code": "01002",
    "lat": "34.2680",
    "long": "117.1920",
    "description": "污水井盖破损",
}
"""What the printed curl line posts: a sewage manhole cover (污水井盖) in 鼓楼区, WGS-84."""


def dev_secret(run_dir: Path, name: str, make: Callable[[], str]) -> str:
    """The secret kept in `run_dir/name`, made by `make` the first time, readable by its owner only."""
    return made_once(run_dir / name, make).decode().strip()


def dev_pii_key(run_dir: Path = RUN_DIR) -> str:
    """A key for reporters' contacts (base64 of 32 bytes, as INTAKE_PII_KEY)."""
    return dev_secret(run_dir, "pii.key", lambda: base64.b64encode(os.urandom(32)).decode())


def dev_open311_key(run_dir: Path = RUN_DIR) -> str:
    """An Open311 api_key for the demo client: without one, every POST requests is refused."""
    return dev_secret(run_dir, "open311.key", lambda: secrets.token_urlsafe(24))


def dev_hotline_key(run_dir: Path = RUN_DIR) -> str:
    return dev_secret(run_dir, "hotline.key", lambda: f"cck_hotline_{secrets.token_urlsafe(32)}")


def dev_hotline_signing_secret(run_dir: Path = RUN_DIR) -> str:
    """What Intake signs its messages to the 12345 hotline with (the simulator checks it)."""
    return dev_secret(run_dir, "hotline-signing.key", lambda: secrets.token_urlsafe(32))


def dev_secrets(run_dir: Path = RUN_DIR, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The services' secrets: the environment's where it names them, else the local ones."""
    local = {
        "INTAKE_PII_KEY": dev_pii_key(run_dir),
        "INTAKE_HOTLINE_SIGNING_SECRET": dev_hotline_signing_secret(run_dir),
    }
    return {name: environ.get(name, value) for name, value in local.items()}


@dataclass(frozen=True)
class DemoKey:
    client: str
    secret: str
    channels: tuple[str, ...]
    scopes: tuple[str, ...]


def demo_keys(run_dir: Path = RUN_DIR) -> list[DemoKey]:
    return [
        DemoKey(OPEN311_CLIENT, dev_open311_key(run_dir), ("public",), (SUBMIT_REPORTS,)),
        DemoKey(
            HOTLINE_CLIENT, dev_hotline_key(run_dir), ("hotline",), (SUBMIT_REPORTS, READ_REPORTS, MANAGE_CALLBACKS)
        ),
    ]


async def import_demo_keys(conn: Connection, run_dir: Path = RUN_DIR) -> list[DemoKey]:
    """Put the demo systems' keys in Intake's key store (search_path intake) unless already there."""
    wanted = demo_keys(run_dir)
    for key in wanted:
        if not await conn.fetchval("SELECT 1 FROM api_keys WHERE key_hash = $1", digest(key.secret)):
            await issue(conn, key.client, key.channels, key.scopes, note="make run demo", secret=key.secret)
    return wanted


def open311_hint(intake_url: str, key: str) -> str:
    """How to post an Open311 request with the demo key: a ready curl line."""
    fields = {"api_key": key, **OPEN311_DEMO_FORM}
    data = " ".join(f"--data-urlencode {shlex.quote(f'{name}={value}')}" for name, value in fields.items())
    return (
        f"Open311 POST requests with the demo api_key (kept in {RUN_DIR / 'open311.key'}):\n"
        f"  curl -s -X POST {intake_url}/open311/v2/requests.json {data}"
    )
