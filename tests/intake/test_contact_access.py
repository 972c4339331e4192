"""Personal data (个人信息): a reporter's contact only for those who call back, every read on record,
and nothing of it, nor the exact place, in what the public sees (issue 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson
import pytest

from schemas.access import ADMIN, ANALYST, CALL_TAKER, CALLBACK_TEAM, DISPATCHER, GRID_MEMBER, UNIT_STAFF
from tests.conftest import bearer
from tests.intake.conftest import POINT, IntakeUnderTest, issue_key, report

NAME, PHONE = "韩梅梅", "13912345678"
TYPED = "楼道堆物，请联系 13800138000，身份证 320302198001011234"
HOTLINE = {
    "channel": "hotline",
    "description": TYPED,
    "reporter": {"name": NAME, "phone": PHONE},
    "location": {**POINT, "address": "解放南路 12 号 3 单元 502 室"},
}
CALL_TAKER_C7 = bearer(CALL_TAKER, subject="C-0007")
GRID = "320302006008002"
"""The unit grid POINT falls in."""


async def hotline_case(intake: IntakeUnderTest, **overrides: Any) -> dict[str, Any]:
    posted = await intake.post(report(**{**HOTLINE, **overrides}))
    assert posted.status_code == 201, posted.text
    created: dict[str, Any] = posted.json()
    return created


async def log_rows(intake: IntakeUnderTest) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await intake.app.state.runtime.pool.fetch("SELECT * FROM contact_reads ORDER BY id")
    return rows


async def test_a_call_taker_reads_the_contact_and_what_was_typed_and_the_read_is_recorded(
    intake: IntakeUnderTest,
) -> None:
    case = await hotline_case(intake)

    reply = await intake.client.get(
        f"/v1/reports/{case['case_number']}/contact", params={"purpose": "回访"}, headers=CALL_TAKER_C7
    )
    [logged] = await log_rows(intake)

    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    contact = reply.json()
    assert (contact["case_id"], contact["name"], contact["phone"]) == (case["case_id"], NAME, PHONE)
    assert contact["typed"] == {
        "description": TYPED,
        "address": None,  # nothing in it was masked, so nothing was sealed
        "summoned_departments": None,
    }
    assert contact["read_id"] == logged["id"]
    assert (str(logged["case_id"]), logged["case_number"]) == (case["case_id"], case["case_number"])
    assert (logged["actor"], logged["roles"], logged["purpose"]) == ("user:C-0007", [CALL_TAKER], "回访")
    assert logged["disclosed"] == ["name", "phone", "description"]
    assert len(logged["trace_id"]) == 32


async def test_a_call_back_team_member_reads_a_contact_by_case_id(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)

    reply = await intake.client.get(f"/v1/reports/{case['case_id']}/contact", headers=bearer(CALLBACK_TEAM))

    assert reply.status_code == 200
    assert reply.json()["phone"] == PHONE


@pytest.mark.parametrize("role", [ADMIN, ANALYST, DISPATCHER, GRID_MEMBER, UNIT_STAFF])
async def test_no_other_role_reads_a_contact_not_even_the_admin(intake: IntakeUnderTest, role: str) -> None:
    case = await hotline_case(intake)

    reply = await intake.client.get(
        f"/v1/reports/{case['case_id']}/contact", headers=bearer(role, unit="municipal-works", areas=[GRID])
    )

    assert reply.status_code == 403
    assert reply.headers["content-type"] == "application/problem+json"
    assert NAME not in reply.text
    assert PHONE not in reply.text
    assert await log_rows(intake) == []


async def test_a_system_reads_no_contact_even_of_its_own_channel(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)
    key = await issue_key(intake.app, "hotline", channels=("hotline",), scopes=("reports:read",))

    reply = await intake.client.get(f"/v1/reports/{case['case_id']}/contact", headers={"X-API-Key": key})

    assert reply.status_code == 403
    assert await log_rows(intake) == []


async def test_a_call_taker_of_other_areas_may_not_read_this_cases_contact(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)

    reply = await intake.client.get(
        f"/v1/reports/{case['case_id']}/contact", headers=bearer(CALL_TAKER, areas=["320311"])
    )

    assert reply.status_code == 403
    assert await log_rows(intake) == []


async def test_an_unknown_case_has_no_contact_and_nothing_is_recorded(intake: IntakeUnderTest) -> None:
    reply = await intake.client.get("/v1/reports/HL-20261124-999999/contact", headers=CALL_TAKER_C7)

    assert reply.status_code == 404
    assert await log_rows(intake) == []


async def test_a_case_without_a_contact_answers_nulls_and_the_read_is_still_recorded(
    intake: IntakeUnderTest,
) -> None:
    case = (await intake.post(report(channel="hotline"))).json()

    reply = await intake.client.get(f"/v1/reports/{case['case_id']}/contact", headers=CALL_TAKER_C7)
    [logged] = await log_rows(intake)

    assert (reply.json()["name"], reply.json()["phone"], reply.json()["typed"]) == (None, None, None)
    assert logged["disclosed"] == []


async def test_a_number_typed_into_the_purpose_is_masked_in_the_log(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)

    await intake.client.get(
        f"/v1/reports/{case['case_id']}/contact", params={"purpose": "回访 13800138000"}, headers=CALL_TAKER_C7
    )
    [logged] = await log_rows(intake)

    assert logged["purpose"] == "回访 138****8000"


async def test_a_blank_purpose_is_refused(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)

    reply = await intake.client.get(
        f"/v1/reports/{case['case_id']}/contact", params={"purpose": "   "}, headers=CALL_TAKER_C7
    )

    assert reply.status_code == 422
    assert await log_rows(intake) == []


async def test_the_access_log_is_append_only(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)
    await intake.client.get(f"/v1/reports/{case['case_id']}/contact", headers=CALL_TAKER_C7)
    pool = intake.app.state.runtime.pool

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("UPDATE contact_reads SET actor = 'user:nobody'")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("DELETE FROM contact_reads")
    assert [row["actor"] for row in await log_rows(intake)] == ["user:C-0007"]


async def test_an_auditor_lists_reads_by_case_actor_and_time_newest_first_in_pages(
    intake: IntakeUnderTest,
) -> None:
    first, second = await hotline_case(intake), await hotline_case(intake, external_id="12345-2")
    before = datetime.now(UTC) - timedelta(seconds=1)
    for case, who in ((first, CALL_TAKER_C7), (second, CALL_TAKER_C7), (first, bearer(CALLBACK_TEAM, subject="H-1"))):
        assert (await intake.client.get(f"/v1/reports/{case['case_id']}/contact", headers=who)).status_code == 200

    async def listed(**params: Any) -> dict[str, Any]:
        reply = await intake.client.get("/v1/audit/contact-reads", params=params)  # as the admin
        assert reply.status_code == 200, reply.text
        page: dict[str, Any] = reply.json()
        return page

    everything = await listed()
    of_first = await listed(case_ref=first["case_number"])
    by_id = await listed(case_ref=first["case_id"])
    by_c7 = await listed(actor="user:C-0007")
    page_one = await listed(limit=2)
    page_two = await listed(limit=2, cursor=page_one["next_cursor"])
    in_window = await listed(read_from=before.isoformat(), read_to=(before + timedelta(hours=1)).isoformat())
    too_early = await listed(read_to=before.isoformat())

    assert [item["actor"] for item in everything["items"]] == ["user:H-1", "user:C-0007", "user:C-0007"]
    assert [item["case_number"] for item in of_first["items"]] == [first["case_number"]] * 2
    assert by_id["items"] == of_first["items"]
    assert {item["case_id"] for item in by_c7["items"]} == {first["case_id"], second["case_id"]}
    assert page_one["items"] + page_two["items"] == everything["items"]
    assert page_two["next_cursor"] is None
    assert len(in_window["items"]) == 3
    assert too_early["items"] == []
    assert NAME not in orjson.dumps(everything).decode()


@pytest.mark.parametrize("role", [CALL_TAKER, CALLBACK_TEAM, ANALYST])
async def test_only_the_admin_reads_the_access_log(intake: IntakeUnderTest, role: str) -> None:
    reply = await intake.client.get("/v1/audit/contact-reads", headers=bearer(role))

    assert reply.status_code == 403


async def test_a_cursor_the_api_never_gave_is_refused(intake: IntakeUnderTest) -> None:
    reply = await intake.client.get("/v1/audit/contact-reads", params={"cursor": "-1; DROP TABLE"})

    assert reply.status_code == 422


async def test_open311_shows_neither_the_contact_nor_the_typed_numbers_nor_the_address(
    intake: IntakeUnderTest,
) -> None:
    case = await hotline_case(intake)

    replies = [
        await intake.client.get(f"/open311/v2/requests/{case['case_number']}.{fmt}", headers={})
        for fmt in ("json", "xml")
    ] + [await intake.client.get("/open311/v2/requests.json", headers={})]

    for reply in replies:
        assert reply.status_code == 200
        for secret in (NAME, PHONE, "13800138000", "198001011234", "解放南路"):
            assert secret not in reply.text


async def test_open311_places_a_request_at_its_unit_grids_point_and_names_the_grid(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake)
    city = intake.app.state.context.city

    [record] = (await intake.client.get(f"/open311/v2/requests/{case['case_number']}.json", headers={})).json()

    grid_lat, grid_lon = city.representative_point(GRID)
    assert (record["lat"], record["long"]) == (round(grid_lat, 6), round(grid_lon, 6))
    assert (record["lat"], record["long"]) != (POINT["lat"], POINT["lon"])
    assert record["address"] == "鼓楼区 环城街道 苏电社区居委会 苏电社区第2网格"


async def test_open311_shows_no_point_for_a_case_placed_in_no_grid(intake: IntakeUnderTest) -> None:
    case = await hotline_case(intake, location={"address": "鼓楼区中山北路 12 号"})

    [record] = (await intake.client.get(f"/open311/v2/requests/{case['case_number']}.json", headers={})).json()

    assert (record["lat"], record["long"], record["address"]) == (None, None, None)


async def test_the_native_view_for_staff_keeps_the_exact_point_but_never_the_contact(
    intake: IntakeUnderTest,
) -> None:
    case = await hotline_case(intake)

    one = await intake.client.get(f"/v1/reports/{case['case_id']}", headers=CALL_TAKER_C7)
    listed = await intake.client.get("/v1/reports", headers=CALL_TAKER_C7)

    assert (one.json()["lat"], one.json()["lon"]) == (POINT["lat"], POINT["lon"])
    for reply in (one, listed):
        for secret in (NAME, PHONE, "13800138000", "198001011234"):
            assert secret not in reply.text
