"""Closure's HTTP API under test: the real app on real PostgreSQL and Kafka, cases opened by its real reactions.

A case comes to Closure from Dispatch's events; here they are built as Dispatch builds them and
handed to the application's reactions in a transaction on the app's own pool, so the store, the
read model and the timers are the ones the API reads. Import the fixture in a test module:
`from tests.closure.api_rig import rig_fixture  # noqa: F401`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from devstack.stack import Stack
from schemas.base import Event
from schemas.dispatch import CaseRouted, RoutingReason, SelfDisposalRecorded, StageLimits, TimeLimit
from services.closure.application import reactions
from services.closure.application.context import Closure
from services.closure.main import create_app
from services.closure.settings import ClosureSettings
from tests.conftest import bearer, eventually, running, service_env
from tests.dispatch.city_fixture import COMMUNITY, GRID, OTHER_COMMUNITY, write_city

E = TypeVar("E", bound=Event)
STATION = "cm-320302001002-sanitation"
WATER = "dt-320302-water"
UNIT = bearer("unit_staff", unit=STATION, subject="li-station")
OTHER_UNIT = bearer("unit_staff", unit=WATER, subject="wang-water")
GRID_MEMBER = bearer("grid_member", areas=[COMMUNITY], subject="grid-zhang")
SECOND_GRID_MEMBER = bearer("grid_member", areas=[COMMUNITY], subject="grid-li")
OTHER_GRID_MEMBER = bearer("grid_member", areas=[OTHER_COMMUNITY], subject="grid-wu")
SUPERVISOR = bearer("supervisor", subject="sup-chen")
CALLBACK = bearer("callback_team", subject="cb-liu")
SHIFT_LEAD = bearer("shift_lead", subject="lead-sun")
DISPATCHER = bearer("dispatcher", areas=["320302"], subject="disp-zhou")
OTHER_DISPATCHER = bearer("dispatcher", areas=["320303"], subject="disp-qian")
HOURS_4 = TimeLimit(amount=4, unit="hours")
HOUR_1 = TimeLimit(amount=1, unit="hours")


def reason(area: str = GRID) -> RoutingReason:
    return RoutingReason(rule_id="sanitation", rule="市容环境", category_code="06010", urgency="normal",
                         area_code=area, area_level="grid", lead_trade="sanitation", level="community")  # fmt: skip


@dataclass
class Rig:
    app: FastAPI
    client: httpx.AsyncClient
    prefix: str = ""
    """The test's topic prefix, for events published to the app's consumer."""

    @property
    def closure(self) -> Closure:
        context: Closure = self.app.state.context
        return context

    async def react(self, handler: Callable[[E, Closure, EventMeta, Connection], Awaitable[None]], event: E) -> None:
        """Hand one of Dispatch's events to Closure's reaction, as the consumer does, in one transaction."""
        async with self.closure.store.pool.acquire() as conn, conn.transaction():
            await handler(event, self.closure, EventMeta.by("system:dispatch"), conn)

    async def route(
        self, unit: str = STATION, area: str = GRID, routed_at: datetime | None = None,
        disposal: TimeLimit = HOURS_4, verification: TimeLimit = HOUR_1,
    ) -> UUID:  # fmt: skip
        """派遣: a new case routed to `unit`, as Dispatch's CaseRouted says it; its case id."""
        case_id = uuid.uuid4()
        routed = CaseRouted(
            case_id=case_id, unit_code=unit, unit_name="万通社区工作站·环卫", category_code="06010", rule="sanitation",
            routed_at=routed_at or utc_now(), trade="sanitation", reason=reason(area), urgency="normal",
            limits=StageLimits(disposal=disposal, verification=verification),
        )  # fmt: skip
        await self.react(reactions.on_case_routed, routed)
        return case_id

    async def self_disposal(self, by: str = "user:grid-zhang", area: str = GRID) -> UUID:
        """自行处置: a grid member fixed it on the spot and Dispatch recorded it."""
        case_id = uuid.uuid4()
        recorded = SelfDisposalRecorded(case_id=case_id, area_code=area, photo_url="https://img.example/fixed.jpg",
                                        recorded_at=utc_now(), disposed_by=by, category_code="06010",
                                        unit_code=STATION)  # fmt: skip
        await self.react(reactions.on_self_disposal, recorded)
        return case_id

    async def post(self, case_id: UUID, action: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.client.post(f"/v1/cases/{case_id}/{action}", json=body, headers=headers)

    async def ok(self, case_id: UUID, action: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.post(case_id, action, headers, **body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def case(self, case_id: UUID, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.get(f"/v1/cases/{case_id}", headers=headers or {})
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def types(self, case_id: UUID) -> list[str]:
        return [entry["type"].removeprefix("closure.") for entry in (await self.case(case_id))["history"]]

    async def listed(self, headers: dict[str, str] | None = None, **params: Any) -> list[str]:
        response = await self.client.get("/v1/cases", params=params, headers=headers or {})
        assert response.status_code == 200, response.text
        return [item["case_id"] for item in response.json()["items"]]

    async def dispose(self, case_id: UUID, headers: dict[str, str] = UNIT) -> dict[str, Any]:
        """处置反馈 by the unit: a service (劝导) disposal with a photo."""
        return await self.ok(case_id, "disposal", headers, method="service", notes="已清理",
                             photo_urls=["https://img.example/after.jpg"])  # fmt: skip

    async def closed(self, case_id: UUID) -> dict[str, Any]:
        """Disposed by the unit and verified by the area's grid member: closed."""
        await self.dispose(case_id)
        return await self.ok(case_id, "verification", GRID_MEMBER, passed=True)

    async def eventually_case(self, case_id: UUID, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async def arrived() -> dict[str, Any]:
            found = await self.case(case_id)
            assert check(found), found
            return found

        return await eventually(arrived)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def local(text: str) -> bool:
    """An instant at the edge is in Asia/Shanghai."""
    return at(text).utcoffset() == timedelta(hours=8)


@pytest.fixture(name="rig")
async def rig_fixture(stack: Stack, database: str, topics_for: str, tmp_path: Path) -> AsyncIterator[Rig]:
    folder = write_city(tmp_path / "city")
    settings = ClosureSettings(**service_env(stack, database, topics_for, "closure"), CITY_CONFIG=folder,
                               timer_poll_seconds=0.05)  # fmt: skip
    app = create_app(settings)
    async with running(app) as client:
        yield Rig(app, client, topics_for)
