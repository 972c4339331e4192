"""One report travels through all four services, over real Kafka and real PostgreSQL.

Each service connects as its own PostgreSQL role, as in production (ADR 0011).
"""

from __future__ import annotations

import contextlib
from typing import Any

import asyncpg

from devstack.stack import Stack
from schemas.access import GRID_MEMBER
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, eventually, running, service_env

REPORT = {
    "channel": "grid",
    "category_code": "01002",
    "description": "污水井盖破损 (broken sewage cover)",
    "location": {"lat": 34.2618, "lon": 117.1850},
    "external_id": "G-2026-0001",
}


async def test_a_report_is_received_routed_and_opened_in_closure(stack: Stack, database: str, topics_for: str) -> None:
    def env(service: str) -> dict[str, Any]:
        return service_env(stack, database, topics_for, service)

    async with contextlib.AsyncExitStack() as services:
        intake = await services.enter_async_context(running(intake_app(IntakeSettings(**env("intake")))))
        await services.enter_async_context(running(dispatch_app(DispatchSettings(**env("dispatch")))))
        await services.enter_async_context(running(closure_app(ClosureSettings(**env("closure")))))
        analytics = await services.enter_async_context(running(analytics_app(AnalyticsSettings(**env("analytics")))))

        # The actor is the verified token's subject; a header claiming another is ignored.
        as_grid_member = {**bearer(GRID_MEMBER, areas=["320311008007"], subject="G-0042"), "X-Actor": "someone-else"}
        created = await intake.post("/v1/reports", json=REPORT, headers=as_grid_member)
        assert created.status_code == 201
        case_id = created.json()["case_id"]
        assert created.headers["location"] == f"/v1/reports/{case_id}"

        async def traced() -> list[dict[str, Any]]:
            reply = await analytics.get(f"/v1/cases/{case_id}/trace")
            assert reply.status_code == 200
            events: list[dict[str, Any]] = reply.json()["events"]
            assert len(events) == 4
            return events

        events = await eventually(traced)

    assert [(e["service"], e["type"]) for e in events] == [
        ("intake", "intake.ReportReceived"),
        ("dispatch", "dispatch.AssignmentOpened"),
        ("dispatch", "dispatch.CaseRouted"),
        ("closure", "closure.ClosureOpened"),
    ]
    assert [e["actor"] for e in events] == ["user:G-0042", "system:dispatch", "system:dispatch", "system:closure"]
    # 污水井盖 in 泉山区: the district's water bureau leads, its municipal works assist (routing.yaml).
    assert events[2]["data"]["unit_code"] == "dt-320311-water"
    assert [unit["trade"] for unit in events[2]["data"]["assisting"]] == ["municipal"]
    assert len({e["trace_id"] for e in events}) == 1
    assert events[0]["trace_id"] is not None
    admin = await asyncpg.connect(database)
    try:
        owners = await admin.fetch(
            "SELECT DISTINCT schemaname, tableowner FROM pg_tables WHERE schemaname = ANY($1::text[])",
            ["intake", "dispatch", "closure", "analytics"],
        )
    finally:
        await admin.close()
    # Each service made its own tables, as its own role: nobody else's, not the superuser's.
    assert sorted((row[0], row[1]) for row in owners) == [
        (s, s) for s in ("analytics", "closure", "dispatch", "intake")
    ]


async def test_an_invalid_report_is_refused_with_problem_details(stack: Stack, database: str, topics_for: str) -> None:
    env = service_env(stack, database, topics_for, "intake")
    async with running(intake_app(IntakeSettings(**env))) as intake:
        reply = await intake.post("/v1/reports", json={**REPORT, "channel": "fax", "location": {"lat": 123}})

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["type"] == "urn:city-cases:problem:invalid-request"
    assert {e["path"] for e in problem["errors"]} >= {"/body/channel", "/body/location/lat"}


async def test_services_report_ready_and_expose_metrics(stack: Stack, database: str, topics_for: str) -> None:
    env = service_env(stack, database, topics_for, "intake")
    async with running(intake_app(IntakeSettings(**env))) as intake:
        await intake.post("/v1/reports", json=REPORT)
        ready = await intake.get("/readyz")
        metrics = await intake.get("/metrics")

    assert ready.status_code == 200
    assert 'events_appended_total{type="intake.ReportReceived"} 1.0' in metrics.text
    assert 'http_requests_total{method="POST",route="/v1/reports",status="201"} 1.0' in metrics.text


async def test_an_unknown_case_has_no_trace(stack: Stack, database: str, topics_for: str) -> None:
    env = service_env(stack, database, topics_for, "analytics")
    async with running(analytics_app(AnalyticsSettings(**env))) as analytics:
        reply = await analytics.get("/v1/cases/0190c4a2-0000-7000-8000-000000000000/trace")

    assert reply.status_code == 404
    assert reply.json()["type"] == "urn:city-cases:problem:not-found"
