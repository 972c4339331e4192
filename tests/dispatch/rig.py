"""Dispatch under test, fed by a real Intake: reports posted over HTTP, routed through Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from cityconfig import City
from devstack.stack import Stack
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, eventually, running, service_env
from tests.dispatch.city_fixture import GRID, write_city

DISPATCHER = bearer("dispatcher", areas=["320302"])
SQUAD = "st-320302001-enforcement"


@dataclass
class Flow:
    city: City
    intake: httpx.AsyncClient
    dispatch: httpx.AsyncClient
    app: FastAPI

    async def report(self, grid: str = GRID, **overrides: Any) -> UUID:
        """A report at a point inside `grid`, posted to Intake; its case id."""
        lat, lon = self.city.representative_point(grid)
        body: dict[str, Any] = {"channel": "grid", "category_code": "06010", "description": "暴露垃圾",
                                "location": {"lat": lat, "lon": lon}}  # fmt: skip
        body.update(overrides)
        response = await self.intake.post("/v1/reports", json=body)
        assert response.status_code == 201, response.text
        return UUID(response.json()["case_id"])

    async def assignment(self, case_id: UUID, status: str | None = None) -> dict[str, Any]:
        """The case once Dispatch has it (and has it in `status`, if given), as the admin sees it."""

        async def arrived() -> dict[str, Any]:
            response = await self.dispatch.get(f"/v1/assignments/{case_id}")
            assert response.status_code == 200, response.text
            found: dict[str, Any] = response.json()
            assert status is None or found["status"] == status, found["status"]
            return found

        return await eventually(arrived)

    async def act(self, case_id: UUID, action: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.dispatch.post(f"/v1/assignments/{case_id}/{action}", json=body, headers=headers)


@pytest.fixture
async def flow(stack: Stack, database: str, topics_for: str, tmp_path: Path) -> AsyncIterator[Flow]:
    folder = write_city(tmp_path / "city")
    intake = intake_app(IntakeSettings(**service_env(stack, database, topics_for, "intake"), CITY_CONFIG=folder))
    dispatch = dispatch_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch"),
                                             CITY_CONFIG=folder, timer_poll_seconds=0.05))  # fmt: skip
    async with running(intake) as intake_client, running(dispatch) as dispatch_client:
        yield Flow(dispatch.state.context.city, intake_client, dispatch_client, dispatch)
