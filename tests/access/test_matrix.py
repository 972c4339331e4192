"""The authorisation matrix: every operation of every service × every role, against the one table.

A route without a row, a route that forgets its `Caller`, or a role the table refuses getting
through, each fails here (issue 9: "a new endpoint without an entry fails the suite").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from casekit.access.guard import Caller
from casekit.access.wiring import operation_id
from devstack.stack import Stack
from schemas.access import ROLES, SCOPES
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.access.matrix import Operation, hidden_routes, missing_rows, operations
from tests.conftest import bearer, running, service_env, system_bearer

APPS: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "intake": lambda env: intake_app(IntakeSettings(**env)),
    "dispatch": lambda env: dispatch_app(DispatchSettings(**env)),
    "closure": lambda env: closure_app(ClosureSettings(**env)),
    "analytics": lambda env: analytics_app(AnalyticsSettings(**env)),
}
# Every role with a unit and areas, so no refusal comes from a missing claim.
PEOPLE = {role: bearer(role, unit="municipal-works", areas=["320302"]) for role in ROLES}
ALL_SCOPES = system_bearer("matrix-system", list(SCOPES), ["grid", "whistle", "hotline", "public"])
NO_SCOPES = system_bearer("scopeless-system", [], ["grid"])


async def call(client: httpx.AsyncClient, op: Operation, headers: dict[str, str]) -> httpx.Response:
    body: dict[str, object] | None = {} if op.method in ("POST", "PUT", "PATCH") else None
    return await client.request(op.method, op.url(), headers=headers, json=body)


@pytest.fixture(params=list(APPS))
async def service(
    request: pytest.FixtureRequest, stack: Stack, database: str, topics_for: str
) -> AsyncIterator[tuple[str, FastAPI, httpx.AsyncClient]]:
    name: str = request.param
    app = APPS[name](service_env(stack, database, topics_for, name))
    async with running(app, headers={}) as client:
        yield name, app, client


async def test_every_operation_has_a_row_and_every_role_gets_what_the_table_says(
    service: tuple[str, FastAPI, httpx.AsyncClient],
) -> None:
    name, app, client = service
    assert missing_rows(app, name) == []
    assert hidden_routes(app, name) == set()
    assert len(list(operations(app, name))) >= 5  # health, readiness, metrics and the key admin at least
    wrong: list[str] = []
    for op in operations(app, name):
        assert op.rule is not None
        documented = app.openapi()["paths"][op.path][op.method.lower()]["responses"]
        if not op.rule.open and not {"401", "403"} <= set(documented):
            wrong.append(f"{op.id}: its OpenAPI answers name no 401/403")
        anonymous = await call(client, op, {})
        if op.rule.open:
            if anonymous.status_code in (401, 403) and op.name != "post_request":  # Open311 POST: its api_key
                wrong.append(f"{op.id}: open, but {anonymous.status_code} without credentials")
            continue
        if anonymous.status_code != 401:
            wrong.append(f"{op.id}: {anonymous.status_code} without credentials, not 401")
        for role, headers in PEOPLE.items():
            status = (await call(client, op, headers)).status_code
            if role in op.rule.roles and status in (401, 403):
                wrong.append(f"{op.id}: {role} allowed by the table, got {status}")
            if role not in op.rule.roles and status != 403:
                wrong.append(f"{op.id}: {role} refused by the table, got {status}")
        for label, headers, allowed in (("system", ALL_SCOPES, bool(op.rule.scopes)), ("no-scope", NO_SCOPES, False)):
            status = (await call(client, op, headers)).status_code
            if allowed and status in (401, 403):
                wrong.append(f"{op.id}: a system with {sorted(op.rule.scopes)} got {status}")
            if not allowed and status != 403:
                wrong.append(f"{op.id}: {label} should be refused, got {status}")
    assert wrong == []


async def test_refusals_are_problem_details_counted_in_metrics(stack: Stack, database: str, topics_for: str) -> None:
    async with running(APPS["intake"](service_env(stack, database, topics_for, "intake")), headers={}) as client:
        who = await client.get("/v1/reports")
        mine = await client.get("/v1/admin/api-keys", headers=PEOPLE["analyst"])
        metrics = (await client.get("/metrics")).text

    assert (who.status_code, mine.status_code) == (401, 403)
    assert who.headers["www-authenticate"].startswith("Bearer")
    for reply in (who, mine):
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json()["detail"]
    assert 'access_refusals_total{route="/v1/reports",status="401"} 1.0' in metrics
    assert 'access_refusals_total{route="/v1/admin/api-keys",status="403"} 1.0' in metrics


def test_a_route_without_a_row_is_reported() -> None:
    app = FastAPI(generate_unique_id_function=operation_id("intake"))

    @app.get("/v1/new-thing")
    async def new_thing(caller: Caller) -> dict[str, str]:
        return {"who": caller.actor}

    assert missing_rows(app, "intake") == ["intake.new_thing GET /v1/new-thing"]
    assert hidden_routes(app, "intake") == set()


async def test_the_guard_refuses_a_route_the_table_does_not_name(stack: Stack, database: str, topics_for: str) -> None:
    app = APPS["dispatch"](service_env(stack, database, topics_for, "dispatch"))

    @app.get("/v1/unlisted")
    async def unlisted(caller: Caller) -> dict[str, str]:
        return {"who": caller.actor}

    async with running(app) as client:  # even an admin
        reply = await client.get("/v1/unlisted")

    assert reply.status_code == 403
    assert "no row in the authorisation table" in reply.json()["detail"]
