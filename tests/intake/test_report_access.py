"""Within Intake's operations: a unit's staff see their unit's cases, a grid member and a
dispatcher their areas, a system its own channel's reports and callbacks; writes are rate-limited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest

from devstack.stack import Stack
from schemas.access import (
    ANALYST,
    CALL_TAKER,
    DISPATCHER,
    GRID_MEMBER,
    MANAGE_CALLBACKS,
    READ_REPORTS,
    SHIFT_LEAD,
    SUBMIT_REPORTS,
    UNIT_STAFF,
)
from services.intake.adapters.projections import change_status
from services.intake.domain.public_status import StatusChange
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, running, service_env, system_bearer
from tests.intake.conftest import IntakeUnderTest, report

GRID = "320302006008002"  # where POINT lies (鼓楼区)
ELSEWHERE = {"lat": 34.2561, "lon": 117.2290}  # 云龙区, grid 320303001004003
HOTLINE = system_bearer("hotline", [SUBMIT_REPORTS, READ_REPORTS, MANAGE_CALLBACKS], ["hotline"])
OTHER_SYSTEM = system_bearer("district-app", [SUBMIT_REPORTS, READ_REPORTS, MANAGE_CALLBACKS], ["grid"])


async def submit(intake: IntakeUnderTest, headers: dict[str, str], **overrides: Any) -> httpx.Response:
    return await intake.client.post("/v1/reports", json=report(**overrides), headers=headers)


async def case_numbers(intake: IntakeUnderTest, headers: dict[str, str]) -> set[str]:
    reply = await intake.client.get("/v1/reports", headers=headers)
    assert reply.status_code == 200, reply.text
    return {item["case_number"] for item in reply.json()["items"]}


async def test_a_grid_member_reports_and_sees_only_in_their_areas(intake: IntakeUnderTest) -> None:
    member = bearer(GRID_MEMBER, areas=[GRID])
    mine = await submit(intake, member)
    outside = await submit(intake, member, location=ELSEWHERE)
    hotline_call = await submit(intake, member, channel="hotline")
    theirs = await submit(intake, bearer(SHIFT_LEAD), location=ELSEWHERE, category_code="06010")

    assert mine.status_code == 201, mine.text
    assert (outside.status_code, hotline_call.status_code) == (403, 403)
    assert "outside the areas" in outside.json()["detail"]
    assert await case_numbers(intake, member) == {mine.json()["case_number"]}
    assert (await intake.client.get(f"/v1/reports/{theirs.json()['case_id']}", headers=member)).status_code == 403
    assert (await intake.client.get(f"/v1/reports/{mine.json()['case_id']}", headers=member)).status_code == 200


async def test_a_dispatcher_sees_their_district_and_a_call_taker_files_hotline_calls(intake: IntakeUnderTest) -> None:
    gulou = await submit(intake, bearer(CALL_TAKER), channel="hotline")
    yunlong = await submit(intake, bearer(CALL_TAKER), channel="hotline", location=ELSEWHERE)
    refused = await submit(intake, bearer(CALL_TAKER), channel="grid")

    assert (gulou.status_code, yunlong.status_code, refused.status_code) == (201, 201, 403)
    assert await case_numbers(intake, bearer(DISPATCHER, areas=["320302"])) == {gulou.json()["case_number"]}
    assert await case_numbers(intake, bearer(DISPATCHER)) == set()  # a dispatcher without a district sees nothing
    assert len(await case_numbers(intake, bearer(ANALYST))) == 2


async def test_a_units_staff_see_only_cases_assigned_to_their_unit(intake: IntakeUnderTest) -> None:
    ours, theirs = [
        (await submit(intake, bearer(SHIFT_LEAD), category_code=code)).json() for code in ("01002", "06010")
    ]
    async with intake.app.state.runtime.pool.acquire() as conn:
        await change_status(conn, UUID(ours["case_id"]), StatusChange("dispatched", "已派遣", "sanitation", "环卫"))
        await change_status(conn, UUID(theirs["case_id"]), StatusChange("dispatched", "已派遣", "landscaping", "园林"))
    staff = bearer(UNIT_STAFF, unit="sanitation")

    assert await case_numbers(intake, staff) == {ours["case_number"]}
    assert (await intake.client.get(f"/v1/reports/{ours['case_number']}", headers=staff)).status_code == 200
    assert (await intake.client.get(f"/v1/reports/{theirs['case_number']}", headers=staff)).status_code == 403
    assert await case_numbers(intake, bearer(UNIT_STAFF)) == set()  # no unit in the token: nothing


async def test_a_system_posts_and_reads_only_its_own_channel(intake: IntakeUnderTest) -> None:
    own = await submit(intake, HOTLINE, channel="hotline")
    other = await submit(intake, HOTLINE, channel="grid")
    grid_case = await submit(intake, bearer(SHIFT_LEAD))

    assert (own.status_code, other.status_code) == (201, 403)
    assert await case_numbers(intake, HOTLINE) == {own.json()["case_number"]}
    assert (await intake.client.get(f"/v1/reports/{grid_case.json()['case_id']}", headers=HOTLINE)).status_code == 403
    assert await case_numbers(intake, OTHER_SYSTEM) == {grid_case.json()["case_number"]}


async def test_the_actor_is_the_verified_caller_and_keys_are_per_caller(intake: IntakeUnderTest) -> None:
    first = bearer(SHIFT_LEAD, subject="wang.wu")
    second = bearer(SHIFT_LEAD, subject="li.si")
    key = {"Idempotency-Key": "same-key", "X-Actor": "mayor"}

    a = await submit(intake, {**first, **key})
    again = await submit(intake, {**first, **key})
    b = await submit(intake, {**second, **key})

    assert (a.status_code, again.status_code, b.status_code) == (201, 200, 201)
    assert a.json()["case_id"] == again.json()["case_id"] != b.json()["case_id"]
    actors = await intake.app.state.runtime.pool.fetch("SELECT DISTINCT actor FROM events ORDER BY actor")
    assert [row["actor"] for row in actors] == ["user:li.si", "user:wang.wu"]


async def test_a_system_sees_and_deletes_only_its_own_callbacks(stack: Stack, database: str, topics_for: str) -> None:
    env = service_env(stack, database, topics_for, "intake")
    settings = IntakeSettings(**env, callback_allowlist=["https://hooks.example.org/"])
    async with running(create_app(settings), headers={}) as client:
        body = {"channel": "hotline", "url": "https://hooks.example.org/12345", "secret": "s" * 32}
        mine = await client.post("/v1/callbacks", json=body, headers=HOTLINE)
        not_my_channel = await client.post("/v1/callbacks", json=body, headers=OTHER_SYSTEM)
        theirs = await client.post("/v1/callbacks", json={**body, "channel": "grid"}, headers=OTHER_SYSTEM)
        listed = await client.get("/v1/callbacks", headers=HOTLINE)
        foreign_delete = await client.delete(f"/v1/callbacks/{theirs.json()['id']}", headers=HOTLINE)
        foreign_deliveries = await client.get(
            "/v1/callbacks/deliveries", params={"subscription_id": theirs.json()["id"]}, headers=HOTLINE
        )
        own_delete = await client.delete(f"/v1/callbacks/{mine.json()['id']}", headers=HOTLINE)
        everyone = await client.get("/v1/callbacks", headers=bearer())

    assert (mine.status_code, not_my_channel.status_code, theirs.status_code) == (201, 403, 201)
    assert [s["id"] for s in listed.json()] == [mine.json()["id"]]
    assert (foreign_delete.status_code, foreign_deliveries.status_code, own_delete.status_code) == (403, 403, 204)
    assert [s["id"] for s in everyone.json()] == [theirs.json()["id"]]


@pytest.fixture
async def limited(stack: Stack, database: str, topics_for: str) -> AsyncIterator[httpx.AsyncClient]:
    env = {**service_env(stack, database, topics_for, "intake"), "ACCESS_RATE_PER_CALLER": "3/minute",
           "ACCESS_RATE_PER_ADDRESS": "5/minute"}  # fmt: skip
    async with running(create_app(IntakeSettings(**env)), headers={}) as client:
        yield client


async def test_writes_over_the_limit_get_429_with_retry_after(limited: httpx.AsyncClient) -> None:
    one, other = bearer(SHIFT_LEAD, subject="one"), bearer(SHIFT_LEAD, subject="other")
    by_one = [(await limited.post("/v1/reports", json=report(), headers=one)).status_code for _ in range(4)]
    by_other = [(await limited.post("/v1/reports", json=report(), headers=other)).status_code for _ in range(2)]
    refused = await limited.post("/v1/reports", json=report(), headers=one)
    reads = await limited.get("/v1/reports", headers=one)

    assert by_one == [201, 201, 201, 429]  # the caller's limit: 3 a minute
    assert by_other == [201, 429]  # the address's limit: 5 a minute, the refused attempt counted
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert reads.status_code == 200  # reads are not limited
    metrics = (await limited.get("/metrics")).text
    assert 'access_refusals_total{route="/v1/reports",status="429"}' in metrics
