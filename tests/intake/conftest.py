"""Intake under test: the real app on a fresh database and private topics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from casekit.access import keys
from devstack.stack import Stack
from schemas.access import SUBMIT_REPORTS
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import running, service_env

# Inside the demo city (鼓楼区), WGS-84.
POINT = {"lat": 34.2680, "lon": 117.1920}


def report(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "grid",
        "category_code": "01002",
        "description": "污水井盖破损",
        "location": dict(POINT),
    }
    body.update(overrides)
    return body


@dataclass
class IntakeUnderTest:
    app: FastAPI
    client: httpx.AsyncClient
    prefix: str

    async def post(self, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.client.post("/v1/reports", json=body, headers=headers)

    async def events(self) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.app.state.runtime.pool.fetch("SELECT type, data::text FROM events ORDER BY global_position")
        return [(row[0], orjson.loads(row[1])) for row in rows]


async def issue_key(
    app: FastAPI, client: str, secret: str | None = None, channels: tuple[str, ...] = ("public",),
    scopes: tuple[str, ...] = (SUBMIT_REPORTS,),
) -> str:  # fmt: skip
    """An API key in Intake's own store, as `/v1/admin/api-keys` would issue it; the key."""
    async with app.state.runtime.pool.acquire() as conn:
        issued = await keys.issue(conn, client, channels, scopes, secret=secret)
    return issued.secret


@pytest.fixture
async def intake(stack: Stack, database: str, topics_for: str) -> AsyncIterator[IntakeUnderTest]:
    app = create_app(IntakeSettings(**service_env(stack, database, topics_for, "intake")))
    async with running(app) as client:
        yield IntakeUnderTest(app, client, topics_for)
