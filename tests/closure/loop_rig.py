"""The whole loop under test: real Intake, Dispatch and Closure apps on one database and private
topics, real Kafka, the routing test city (tests/dispatch/city_fixture.py), and a callback receiver.

Every step is an HTTP request as a person would make it, with their own token: the report to
Intake, the sign-for to Dispatch, the disposal, verification and call-back to Closure
(`POST /v1/cases/{case_id}/…`); what each service says back is read over HTTP too (Open311, the
callback receiver, `GET /v1/cases/{case_id}`), and Closure's store only for who recorded what.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import orjson
import pytest
from fastapi import FastAPI

from cityconfig import City
from devstack.stack import Stack
from schemas.access import CALLBACK_TEAM, GRID_MEMBER, UNIT_STAFF
from services.closure.application.context import Closure
from services.closure.application.ports import CaseRow
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, eventually, running, service_env
from tests.dispatch.city_fixture import COMMUNITY, GRID, write_city
from tests.intake import conftest as intake_conftest  # noqa: F401 - first: it and callbacks_rig import each other
from tests.intake.callbacks_rig import FAST, SECRET, Receiver

STATION = "cm-320302001002-sanitation"
"""万通社区工作站·环卫: where the rules route 暴露垃圾 (06010) in GRID."""
STATION_NAME = "万通社区工作站·环卫"
CALLBACK_PATH = "/grid-app"
"""Where the grid app's callback subscription points on the receiver."""


@dataclass(frozen=True)
class Person:
    """Someone acting in the loop: their bearer token, and the actor Closure records for them."""

    subject: str
    role: str
    unit: str | None = None
    areas: tuple[str, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.role, unit=self.unit, areas=list(self.areas), subject=self.subject)

    @property
    def actor(self) -> str:
        """What Closure's events record as their actor."""
        return f"user:{self.subject}"


REPORTER = Person("G-1001", GRID_MEMBER, areas=(GRID,))
"""The grid member who reports (and, for a self-disposal, fixes it on the spot)."""
VERIFIER = Person("G-1002", GRID_MEMBER, areas=(COMMUNITY,))
"""Another grid member of the community: 核查 is by someone who did not do the work."""
STATION_STAFF = Person("S-2001", UNIT_STAFF, unit=STATION)
CALLER_BACK = Person("C-3001", CALLBACK_TEAM)


@dataclass
class Loop:
    city: City
    intake: httpx.AsyncClient
    dispatch: httpx.AsyncClient
    closure_http: httpx.AsyncClient
    """Closure's API, as the admin unless a step names its caller."""
    closure_app: FastAPI
    intake_app: FastAPI
    receiver: Receiver
    prefix: str

    @property
    def closure(self) -> Closure:
        context: Closure = self.closure_app.state.context
        return context

    async def report(self, who: Person = REPORTER, **overrides: Any) -> tuple[UUID, str]:
        """A grid report at GRID's representative point, posted to Intake by `who`; its case id and number."""
        lat, lon = self.city.representative_point(GRID)
        body: dict[str, Any] = {"channel": "grid", "category_code": "06010", "description": "暴露垃圾",
                                "location": {"lat": lat, "lon": lon}}  # fmt: skip
        body.update(overrides)
        response = await self.intake.post("/v1/reports", json=body, headers=who.headers)
        assert response.status_code == 201, response.text
        return UUID(response.json()["case_id"]), response.json()["case_number"]

    async def open311(self, number: str, status: str, note: str | None) -> dict[str, Any]:
        """The case's Open311 request record, once it says `status` (open/closed) with `note`."""

        async def says() -> dict[str, Any]:
            response = await self.intake.get(f"/open311/v2/requests/{number}.json", headers={})
            assert response.status_code == 200, response.text
            [record] = response.json()
            assert (record["status"], record["status_notes"]) == (status, note), record
            found: dict[str, Any] = record
            return found

        return await eventually(says)

    def delivered(self, case_id: UUID) -> list[tuple[str, str | None]]:
        """(status, status_note) of each callback the grid app's receiver accepted for the case, in order."""
        hits = [hit for hit in self.receiver.accepted(CALLBACK_PATH) if hit["case_id"] == str(case_id)]
        return [(hit["status"], hit["status_note"]) for hit in sorted(hits, key=lambda hit: hit["sequence"])]

    async def deliveries(self, case_id: UUID, *expected: tuple[str, str | None]) -> None:
        """The receiver has accepted exactly `expected` for the case, in sequence order."""

        async def arrived() -> None:
            assert self.delivered(case_id) == list(expected)

        await eventually(arrived)

    async def sign_for(self, case_id: UUID, who: Person = STATION_STAFF) -> None:
        """签收 in Dispatch over HTTP, once Dispatch has routed the case."""

        async def routed() -> None:
            found = await self.dispatch.get(f"/v1/assignments/{case_id}")
            assert found.status_code == 200, found.text
            assert found.json()["status"] == "routed", found.text

        await eventually(routed)
        signed = await self.dispatch.post(f"/v1/assignments/{case_id}/sign-for", json={}, headers=who.headers)
        assert signed.status_code == 200, signed.text

    async def closure_case(
        self, case_id: UUID, check: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """`GET /v1/cases/{case_id}` on Closure, once the case is there and `check` holds."""

        async def arrived() -> dict[str, Any]:
            response = await self.closure_http.get(f"/v1/cases/{case_id}")
            assert response.status_code == 200, response.text
            found: dict[str, Any] = response.json()
            assert check(found), found
            return found

        return await eventually(arrived)

    async def closure_row(self, case_id: UUID) -> CaseRow | None:
        """The case's row in Closure's work lists (closure_cases)."""
        async with self.closure.store.pool.acquire() as conn:
            return await self.closure.cases.get(conn, case_id)

    async def closure_events(self, case_id: UUID) -> list[tuple[str, dict[str, Any], str]]:
        """(type, data, actor) of the case's events in Closure's store, in order."""
        rows = await self.closure.store.pool.fetch(
            "SELECT type, data::text, actor FROM events WHERE stream_id = $1 ORDER BY version",
            f"closure-{case_id}",
        )
        return [(row[0], orjson.loads(row[1]), row[2]) for row in rows]

    async def closure_step(self, case_id: UUID, action: str, who: Person, **body: Any) -> httpx.Response:
        """`POST /v1/cases/{case_id}/{action}` on Closure as `who` (`disposal`, `verification`, `callback`, …)."""
        return await self.closure_http.post(f"/v1/cases/{case_id}/{action}", json=body, headers=who.headers)

    async def closure_done(self, case_id: UUID, action: str, who: Person, **body: Any) -> str:
        """A Closure step that must pass; the case's status after it."""
        response = await self.closure_step(case_id, action, who, **body)
        assert response.status_code == 200, response.text
        status: str = response.json()["status"]
        return status


@pytest.fixture(name="loop")
async def loop_fixture(
    stack: Stack, database: str, topics_for: str, tmp_path: Path, receiver: Receiver
) -> AsyncIterator[Loop]:
    folder = write_city(tmp_path / "city")

    def env(service: str) -> dict[str, Any]:
        return {**service_env(stack, database, topics_for, service), "CITY_CONFIG": folder}

    intake = intake_app(IntakeSettings(**env("intake"), **FAST))
    dispatch = dispatch_app(DispatchSettings(**env("dispatch"), timer_poll_seconds=0.05))
    closure = closure_app(ClosureSettings(**env("closure"), timer_poll_seconds=0.05))
    async with contextlib.AsyncExitStack() as started:
        intake_client = await started.enter_async_context(running(intake))
        dispatch_client = await started.enter_async_context(running(dispatch))
        closure_client = await started.enter_async_context(running(closure))
        subscribed = await intake_client.post(
            "/v1/callbacks", json={"channel": "grid", "url": receiver.url(CALLBACK_PATH), "secret": SECRET}
        )
        assert subscribed.status_code == 201, subscribed.text
        yield Loop(dispatch.state.context.city, intake_client, dispatch_client, closure_client, closure, intake,
                   receiver, topics_for)  # fmt: skip
