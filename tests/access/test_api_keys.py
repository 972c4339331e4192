"""Systems' API keys: issued, listed without secrets, rotated with an overlap and revoked, from
the admin API and the CLI, taking effect without a restart."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from devstack.stack import Stack
from schemas.access import READ_REPORTS, SUBMIT_REPORTS
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import ROOT, running, service_env
from tests.intake.conftest import report

HOTLINE_KEY = {"client": "hotline", "channels": ["hotline"], "scopes": [SUBMIT_REPORTS, READ_REPORTS]}


@pytest.fixture
async def admin(stack: Stack, database: str, topics_for: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(**service_env(stack, database, topics_for, "intake")))) as client:
        yield client


def with_key(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def post_as(client: httpx.AsyncClient, key: str) -> int:
    reply = await client.post("/v1/reports", json=report(channel="hotline"), headers=with_key(key))
    return reply.status_code


async def test_an_issued_key_works_on_its_channel_and_is_listed_without_its_secret(admin: httpx.AsyncClient) -> None:
    issued = (await admin.post("/v1/admin/api-keys", json=HOTLINE_KEY)).json()

    assert issued["key"].startswith("cck_")
    assert await post_as(admin, issued["key"]) == 201
    listed = (await admin.get("/v1/admin/api-keys")).text
    assert issued["key_id"] in listed
    assert issued["key"] not in listed
    assert "hash" not in listed


async def test_rotation_keeps_the_old_key_for_the_overlap_then_only_the_new_one(admin: httpx.AsyncClient) -> None:
    old = (await admin.post("/v1/admin/api-keys", json=HOTLINE_KEY)).json()
    kept = (await admin.post(f"/v1/admin/api-keys/{old['key_id']}/rotate", json={"overlap_minutes": 60})).json()
    assert (await post_as(admin, old["key"]), await post_as(admin, kept["key"])) == (201, 201)

    rotated = await admin.post(f"/v1/admin/api-keys/{kept['key_id']}/rotate", json={"overlap_minutes": 0})

    assert rotated.status_code == 201
    assert await post_as(admin, kept["key"]) == 401
    assert await post_as(admin, rotated.json()["key"]) == 201
    assert rotated.json()["scopes"] == sorted(HOTLINE_KEY["scopes"])


async def test_a_revoked_key_is_refused_at_once(admin: httpx.AsyncClient) -> None:
    issued = (await admin.post("/v1/admin/api-keys", json=HOTLINE_KEY)).json()
    assert await post_as(admin, issued["key"]) == 201

    assert (await admin.delete(f"/v1/admin/api-keys/{issued['key_id']}")).status_code == 204

    refused = await admin.post("/v1/reports", json=report(channel="hotline"), headers=with_key(issued["key"]))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


async def test_unknown_scopes_and_keys_are_refused(admin: httpx.AsyncClient) -> None:
    bad = await admin.post("/v1/admin/api-keys", json={**HOTLINE_KEY, "scopes": ["everything"]})
    missing = await admin.delete("/v1/admin/api-keys/nosuchkey0")

    assert bad.status_code == 422
    assert missing.status_code == 404


async def cli(database: str, *args: str) -> object:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "casekit.access.admin_cli", "--schema", "intake", *args,
        env={**os.environ, "DATABASE_URL": database}, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0
    return json.loads(out)


async def test_the_cli_issues_rotates_and_revokes_for_a_running_service(
    admin: httpx.AsyncClient, database: str
) -> None:
    issued = await cli(database, "issue", "hotline", "--channels", "hotline", "--scopes", SUBMIT_REPORTS)
    assert isinstance(issued, dict)
    assert await post_as(admin, issued["key"]) == 201

    rotated = await cli(database, "rotate", issued["key_id"], "--overlap-minutes", "0")
    assert isinstance(rotated, dict)
    await cli(database, "revoke", rotated["key_id"])

    assert (await post_as(admin, issued["key"]), await post_as(admin, rotated["key"])) == (401, 401)
    listed = await cli(database, "list")
    assert isinstance(listed, list)
    assert [key["revoked_at"] is not None for key in listed] == [False, True]
