"""The whole loop under test: real Intake, Dispatch and Closure apps on one database and private
topics, real Kafka, the routing test city (tests/dispatch/city_fixture.py), and a callback receiver.

A report goes to Intake over HTTP; Dispatch routes it and the unit signs for it over HTTP; the
Closure steps (处置, 核查, 回访) go through `Loop.closure_step`. Closure's HTTP routes were not on
main when this rig was written (branch `closure-http`): `closure_step` runs them as the routes do,
through `application.commands.act` with the caller's real Principal and the same checks. Once the
routes are merged, only its body changes, to `POST /v1/cases/{case_id}/{action}` with `who.headers`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import orjson
import pytest
from fastapi import FastAPI

from casekit.access.principal import Principal
from cityconfig import City
from devstack.stack import Stack
from schemas.access import CALLBACK_TEAM, GRID_MEMBER, UNIT_STAFF
from schemas.base import Event
from services.closure.application.commands import Check, act, read_case
from services.closure.application.context import Closure
from services.closure.application.ports import CaseRow
from services.closure.domain import lifecycle as life
from services.closure.domain.access import acting_unit, check_caller_back, check_verifier, check_visible
from services.closure.domain.closure import Act, CaseClosure
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
    """Someone acting in the loop: the same person as a bearer token (HTTP) and as a verified Principal."""

    subject: str
    role: str
    unit: str | None = None
    areas: tuple[str, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.role, unit=self.unit, areas=list(self.areas), subject=self.subject)

    @property
    def principal(self) -> Principal:
        return Principal(self.subject, "person", frozenset({self.role}), unit=self.unit, areas=self.areas)

    @property
    def actor(self) -> str:
        return self.principal.actor


REPORTER = Person("G-1001", GRID_MEMBER, areas=(GRID,))
"""The grid member who reports (and, for a self-disposal, fixes it on the spot)."""
VERIFIER = Person("G-1002", GRID_MEMBER, areas=(COMMUNITY,))
"""Another grid member of the community: 核查 is by someone who did not do the work."""
STATION_STAFF = Person("S-2001", UNIT_STAFF, unit=STATION)
CALLER_BACK = Person("C-3001", CALLBACK_TEAM)

Decision = Callable[[Closure, dict[str, Any]], Callable[[CaseClosure, Act], Sequence[Event]]]


def _dispose(closure: Closure, body: dict[str, Any]) -> Callable[[CaseClosure, Act], Sequence[Event]]:
    disposal = life.Disposal(body["method"], body["notes"], tuple(body.get("photo_urls", ())),
                             body.get("penalty_notice_number"))  # fmt: skip
    return lambda state, cmd: life.decide_dispose(state, cmd, disposal, closure.rules)


def _verify(closure: Closure, body: dict[str, Any]) -> Callable[[CaseClosure, Act], Sequence[Event]]:
    verification = life.Verification(body["passed"], body.get("note"), tuple(body.get("photo_urls", ())))
    return lambda state, cmd: life.decide_verify(state, cmd, verification, closure.rules)


def _call_back(closure: Closure, body: dict[str, Any]) -> Callable[[CaseClosure, Act], Sequence[Event]]:
    callback = life.Callback(body["result"], "callback_team")
    return lambda state, cmd: life.decide_callback(state, cmd, callback, closure.rules)


STEPS: dict[str, tuple[Check, Decision]] = {
    "disposal": (acting_unit, _dispose),
    "verification": (check_verifier, _verify),
    "callback": (check_caller_back, _call_back),
}
"""Closure's steps as its routes run them (path segment -> who may, what is decided)."""


def _visible(check: Check) -> Check:
    def checked(caller: Principal, state: CaseClosure) -> str | None:
        check_visible(caller, state)
        return check(caller, state)

    return checked


@dataclass
class Loop:
    city: City
    intake: httpx.AsyncClient
    dispatch: httpx.AsyncClient
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

    async def closure_case(self, case_id: UUID, check: Callable[[CaseClosure], bool] = lambda _: True) -> CaseClosure:
        """Closure's record of the case, once it exists and `check` holds."""

        async def arrived() -> CaseClosure:
            async with self.closure.store.pool.acquire() as conn:
                try:
                    state, _, _ = await read_case(self.closure, conn, case_id)
                except Exception as missing:
                    raise AssertionError(f"case {case_id} not in Closure yet") from missing
            assert check(state), state
            return state

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

    async def closure_step(self, case_id: UUID, action: str, who: Person, **body: Any) -> str:
        """One Closure step (`disposal`, `verification`, `callback`) as `who`; Closure's status after it.

        Runs as `POST /v1/cases/{case_id}/{action}` does (closure-http): the visibility check, who
        may, then the rule; a refusal raises the route's error (Forbidden → 403, RuleViolation → 409).
        """
        check, decision = STEPS[action]
        closure = self.closure
        async with closure.store.pool.acquire() as conn:
            row = await act(closure, conn, case_id, who.principal, _visible(check), decision(closure, body),
                            body.get("note") if action == "callback" else None)  # fmt: skip
        return row.status


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
        await started.enter_async_context(running(closure))
        subscribed = await intake_client.post(
            "/v1/callbacks", json={"channel": "grid", "url": receiver.url(CALLBACK_PATH), "secret": SECRET}
        )
        assert subscribed.status_code == 201, subscribed.text
        yield Loop(dispatch.state.context.city, intake_client, dispatch_client, closure, intake, receiver, topics_for)
