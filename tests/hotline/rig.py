"""The 12345 conversation under test: real Intake, Dispatch and Closure on one database and private
topics over real Kafka, and the hotline simulator (tools/hotline_sim.py) as a real HTTP server that
Intake's workers POST to and that calls Intake's hotline API back with the hotline's own token.

Our side acts as people do, with their own tokens over HTTP: a grid member confirms the work order
on site (核实), the station signs for it, reports progress, disposes of it, a second grid member
verifies it, and the station sends the final reply (办结).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import uvicorn

from devstack.ports import free_port
from devstack.stack import Stack
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.closure.loop_rig import REPORTER, STATION, STATION_STAFF, VERIFIER, Person
from tests.conftest import eventually, running, service_env, system_bearer
from tests.dispatch.city_fixture import GRID, write_city
from tools.hotline_sim import HotlineSimulator, Rules, work_order

SIGNING_SECRET = "hotline-signing-" + "k" * 32
HOTLINE_SCOPES = ("reports:submit", "reports:read")
FAST_JOBS: dict[str, Any] = {"hotline_backoff_seconds": 0.05, "hotline_max_backoff_seconds": 0.3,
                             "hotline_poll_seconds": 0.05}  # fmt: skip


@dataclass
class Conversation:
    """Both sides of the line, and our three services' APIs."""

    hotline: HotlineSimulator
    intake: httpx.AsyncClient
    dispatch: httpx.AsyncClient
    closure: httpx.AsyncClient
    point: tuple[float, float]

    async def push(self, number: str, **overrides: Any) -> UUID:
        """The hotline pushes a work order in GRID; Intake answers 201 with its case."""
        lat, lon = self.point
        pushed = await self.hotline.push({**work_order(number, lat=lat, lon=lon, due_in=timedelta(days=2)),
                                          **overrides})  # fmt: skip
        assert pushed.status_code == 201, pushed.text
        assert pushed.json()["work_order_no"] == number
        return UUID(pushed.json()["case_id"])

    async def assignment(self, case_id: UUID, status: str) -> dict[str, Any]:
        async def reached() -> dict[str, Any]:
            found = await self.dispatch.get(f"/v1/assignments/{case_id}")
            assert found.status_code == 200, found.text
            assert found.json()["status"] == status, found.json()
            body: dict[str, Any] = found.json()
            return body

        return await eventually(reached, within=30)

    async def confirmed_and_signed(self, case_id: UUID) -> None:
        """核实 on site by a grid member of the area, then 签收 by the station the rules route it to."""
        await self.assignment(case_id, "awaiting_confirmation")
        await self.dispatching(case_id, "confirm", REPORTER, {})
        routed = await self.assignment(case_id, "routed")
        assert routed["lead_unit"] == STATION, routed
        await self.dispatching(case_id, "sign-for", STATION_STAFF, {})

    async def dispatching(self, case_id: UUID, action: str, who: Person, body: dict[str, Any]) -> dict[str, Any]:
        done = await self.dispatch.post(f"/v1/assignments/{case_id}/{action}", json=body, headers=who.headers)
        assert done.status_code == 200, done.text
        reply: dict[str, Any] = done.json()
        return reply

    async def closing(self, case_id: UUID, action: str, who: Person, body: dict[str, Any]) -> httpx.Response:
        return await self.closure.post(f"/v1/cases/{case_id}/{action}", json=body, headers=who.headers)

    async def closure_case(self, case_id: UUID, status: str | None = None) -> dict[str, Any]:
        async def arrived() -> dict[str, Any]:
            found = await self.closure.get(f"/v1/cases/{case_id}")
            assert found.status_code == 200, found.text
            if status is not None:
                assert found.json()["status"] == status, found.json()
            body: dict[str, Any] = found.json()
            return body

        return await eventually(arrived, within=30)

    async def disposed_and_verified(self, case_id: UUID) -> None:
        await self.closure_case(case_id, "open")
        for action, who, body in (
            ("start", STATION_STAFF, {}),
            ("disposal", STATION_STAFF, {"method": "service", "notes": "已清运垃圾", "photo_urls": []}),
            ("verification", VERIFIER, {"passed": True, "note": "现场已清理"}),
        ):
            done = await self.closing(case_id, action, who, body)
            assert done.status_code == 200, done.text

    async def received(self, number: str, *kinds: str) -> None:
        """The hotline has accepted exactly these messages of the work order, in order."""

        async def arrived() -> None:
            assert self.hotline.inbox.kinds(number) == list(kinds)

        await eventually(arrived, within=30)


@pytest.fixture
async def conversation(
    stack: Stack, database: str, topics_for: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Conversation]:
    folder = write_city(tmp_path / "city")
    port = free_port()
    rules: Rules = getattr(request, "param", Rules())

    def env(service: str) -> dict[str, Any]:
        return {**service_env(stack, database, topics_for, service), "CITY_CONFIG": folder}

    intake = intake_app(IntakeSettings(**env("intake"), hotline_endpoint_url=f"http://127.0.0.1:{port}/inbox",
                                       hotline_signing_secret=SIGNING_SECRET, **FAST_JOBS))  # fmt: skip
    dispatch = dispatch_app(DispatchSettings(**env("dispatch"), timer_poll_seconds=0.05))
    closure = closure_app(ClosureSettings(**env("closure"), timer_poll_seconds=0.05))
    as_hotline = system_bearer("hotline", HOTLINE_SCOPES, channels=["hotline"])
    async with contextlib.AsyncExitStack() as started:
        intake_client = await started.enter_async_context(running(intake))
        hotline_client = await started.enter_async_context(  # the same Intake, called as the hotline
            httpx.AsyncClient(transport=httpx.ASGITransport(app=intake), base_url="http://test", headers=as_hotline)
        )
        dispatch_client = await started.enter_async_context(running(dispatch))
        closure_client = await started.enter_async_context(running(closure))
        simulator = HotlineSimulator(hotline_client, SIGNING_SECRET, rules)
        config = uvicorn.Config(simulator.app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve())

        async def up() -> None:
            assert server.started

        await eventually(up)
        point = dispatch.state.context.city.representative_point(GRID)
        yield Conversation(simulator, intake_client, dispatch_client, closure_client, point)
        await simulator.settle()
        server.should_exit = True
        await serving
