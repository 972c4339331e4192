"""`make run`'s demo keys: made once, private, imported into Intake's key store once; the printed
Open311 curl line and the hotline key work against a real Intake (issue 8 defect 7, issue 9)."""

from __future__ import annotations

import itertools
import shlex
import stat
from pathlib import Path
from urllib.parse import urlsplit

from devstack.keys import HOTLINE_CLIENT, OPEN311_CLIENT, demo_keys, dev_secrets, import_demo_keys, open311_hint
from tests.intake.conftest import IntakeUnderTest, report


def curl_request(line: str) -> tuple[str, dict[str, str]]:
    """The path and form fields of the `curl -X POST URL --data-urlencode k=v …` line printed."""
    words = shlex.split(line.strip())
    url = next(word for word in words if word.startswith("http"))
    fields = dict(value.split("=", 1) for flag, value in itertools.pairwise(words) if flag == "--data-urlencode")
    return urlsplit(url).path, fields


def test_the_demo_secrets_are_made_once_private_and_reused(tmp_path: Path) -> None:
    first = dev_secrets(tmp_path, environ={}), demo_keys(tmp_path)
    second = dev_secrets(tmp_path, environ={}), demo_keys(tmp_path)

    assert first == second
    assert {key.client for key in first[1]} == {OPEN311_CLIENT, HOTLINE_CLIENT}
    assert all(len(key.secret) > 30 for key in first[1])
    for name in ("pii.key", "open311.key", "hotline.key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


async def test_the_demo_keys_are_imported_once(intake: IntakeUnderTest, tmp_path: Path) -> None:
    async with intake.app.state.runtime.pool.acquire() as conn:
        await import_demo_keys(conn, tmp_path)
        await import_demo_keys(conn, tmp_path)
        clients = await conn.fetch("SELECT client FROM api_keys ORDER BY client")

    assert [row["client"] for row in clients] == [HOTLINE_CLIENT, OPEN311_CLIENT]


async def test_the_printed_curl_line_opens_a_case_as_the_demo_client(intake: IntakeUnderTest, tmp_path: Path) -> None:
    async with intake.app.state.runtime.pool.acquire() as conn:
        keys = {key.client: key.secret for key in await import_demo_keys(conn, tmp_path)}
    path, fields = curl_request(open311_hint("http://127.0.0.1:8001", keys[OPEN311_CLIENT]).splitlines()[-1])

    reply = await intake.client.post(path, data=fields, headers={"Authorization": ""})

    assert reply.status_code == 200, reply.text
    assert reply.json()[0]["service_request_id"].startswith("PB-")
    actors = await intake.app.state.runtime.pool.fetch("SELECT DISTINCT actor FROM events")
    assert [row["actor"] for row in actors] == [f"system:{OPEN311_CLIENT}"]


async def test_the_hotline_key_posts_on_its_channel_only(intake: IntakeUnderTest, tmp_path: Path) -> None:
    async with intake.app.state.runtime.pool.acquire() as conn:
        keys = {key.client: key.secret for key in await import_demo_keys(conn, tmp_path)}
    as_hotline = {"X-API-Key": keys[HOTLINE_CLIENT], "Authorization": ""}

    own = await intake.client.post("/v1/reports", json=report(channel="hotline"), headers=as_hotline)
    other = await intake.client.post("/v1/reports", json=report(channel="grid"), headers=as_hotline)

    assert own.status_code == 201, own.text
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
