"""Hostile input on Intake (issue 9): too large, wrongly typed, not JSON, blank, not finite, failing.

Each was accepted or answered with internals before: a 20 MB Open311 field, a 100 KB X-Actor
header, text/plain on a JSON route, NaN coordinates, whitespace-only descriptions; an exception
answered Starlette's plain text. The native API refuses with problem+json, Open311 with its own
error documents, and nothing is stored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from tests.intake.conftest import POINT, IntakeUnderTest, issue_key, report

V2 = "/open311/v2"
KEY = "hostile-test-key"
FORM = {"api_key": KEY, "service_code": "01002", "lat": "34.2680", "long": "117.1920", "description": "井盖破损"}
JSON = {"content-type": "application/json"}


@pytest.fixture(autouse=True)
async def api_keys(intake: IntakeUnderTest) -> None:
    await issue_key(intake.app, "tester", KEY)


def assert_problem(reply: httpx.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = reply.json()
    assert problem["status"] == status
    return problem


def assert_open311_error(reply: httpx.Response, status: int) -> str:
    """The spec's `errors/error{code, description}` in XML; the description returned."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(reply.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status)
    return root.findtext("error/description") or ""


async def test_a_20_mb_open311_field_is_413_in_the_open311_format(intake: IntakeUnderTest) -> None:
    body = {**FORM, "description": "井" * (7 * 1024 * 1024)}  # 3 bytes each in UTF-8, ~63 MB percent-encoded
    reply = await intake.client.post(f"{V2}/requests.xml", data=body)

    assert "larger than 1048576 bytes" in assert_open311_error(reply, 413)
    assert await intake.events() == []


async def test_a_native_body_over_the_limit_is_413(intake: IntakeUnderTest) -> None:
    reply = await intake.post(report(description="x" * 1_100_000))

    assert assert_problem(reply, 413)["type"] == "urn:city-cases:problem:body-too-large"
    assert await intake.events() == []


async def test_a_100_kb_actor_header_is_431_and_nothing_is_stored(intake: IntakeUnderTest) -> None:
    reply = await intake.post(report(), **{"X-Actor": "a" * 100_000})

    assert_problem(reply, 431)
    assert await intake.events() == []


async def test_a_report_sent_as_text_is_415(intake: IntakeUnderTest) -> None:
    body = orjson.dumps(report())
    plain = await intake.client.post("/v1/reports", content=body, headers={"content-type": "text/plain"})
    form = await intake.client.post("/v1/reports", data={"description": "x"})

    assert assert_problem(plain, 415)["detail"] == "this operation takes a body in application/json"
    assert_problem(form, 415)
    assert await intake.events() == []


async def test_open311_takes_a_form_and_refuses_json_with_415(intake: IntakeUnderTest) -> None:
    reply = await intake.client.post(f"{V2}/requests.xml", content=orjson.dumps(FORM), headers=JSON)

    assert "application/x-www-form-urlencoded" in assert_open311_error(reply, 415)
    assert await intake.events() == []


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
async def test_a_coordinate_that_is_not_a_finite_number_is_422(intake: IntakeUnderTest, number: bytes) -> None:
    body = orjson.dumps(report(location={"lat": 1, "lon": POINT["lon"]})).replace(b'"lat":1', b'"lat":' + number)
    reply = await intake.client.post("/v1/reports", content=body, headers=JSON)

    assert assert_problem(reply, 422)["errors"][0]["rule"] == "json_invalid"
    assert await intake.events() == []


@pytest.mark.parametrize("number", ["nan", "inf", "-Infinity"])
async def test_open311_refuses_a_coordinate_that_is_not_finite(intake: IntakeUnderTest, number: str) -> None:
    reply = await intake.client.post(f"{V2}/requests.xml", data={**FORM, "lat": number})

    assert assert_open311_error(reply, 400).startswith("lat: ")
    assert await intake.events() == []


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"description": "   "}, "/body/description"),
        ({"description": "\u3000\t\n"}, "/body/description"),  # 全角空格, tab, newline
        ({"location": {"address": "  "}}, "/body/location/address"),
        ({"reporter": {"name": " ", "phone": "13800138000"}}, "/body/reporter/name"),
        ({"reporter": {"phone": "     "}}, "/body/reporter/phone"),
        ({"external_id": "\t"}, "/body/external_id"),
    ],
    ids=["spaces", "ideographic-space", "address", "name", "phone", "external-id"],
)
async def test_whitespace_only_text_is_422(intake: IntakeUnderTest, overrides: dict[str, Any], path: str) -> None:
    reply = await intake.post(report(**overrides))

    assert [error["path"] for error in assert_problem(reply, 422)["errors"]] == [path]
    assert await intake.events() == []


async def test_whitespace_only_whistle_department_is_422(intake: IntakeUnderTest) -> None:
    whistle = {"community_code": "320302001001", "summoned_departments": ["城管", "  "]}
    reply = await intake.post(report(channel="whistle", whistle=whistle))

    assert assert_problem(reply, 422)["errors"][0]["path"] == "/body/whistle/summoned_departments/1"


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "last_name"])
async def test_open311_refuses_whitespace_only_text(intake: IntakeUnderTest, field: str) -> None:
    reply = await intake.client.post(f"{V2}/requests.xml", data={**FORM, field: " \u3000 "})
    empty = await intake.client.post(f"{V2}/requests.xml", data={**FORM, field: ""})  # empty: absent, as ever

    assert assert_open311_error(reply, 400).startswith(f"{field}: white space only")
    assert empty.status_code == 200, empty.text
    assert len(await intake.events()) == 1


async def test_a_wrong_method_is_405_with_allow(intake: IntakeUnderTest) -> None:
    native = await intake.client.delete("/v1/reports")
    open311 = await intake.client.put(f"{V2}/requests.xml", data=FORM)

    assert_problem(native, 405)
    assert native.headers["allow"] == "GET, POST"
    assert_open311_error(open311, 405)
    assert open311.headers["allow"] == "GET, POST"


@pytest.fixture
async def reports_table_gone(intake: IntakeUnderTest) -> AsyncIterator[None]:
    """A failure no route handles: Intake's read model renamed away under the running service."""
    pool = intake.app.state.runtime.pool
    await pool.execute("ALTER TABLE reports RENAME TO reports_hidden")
    yield
    await pool.execute("ALTER TABLE reports_hidden RENAME TO reports")


@pytest.mark.usefixtures("reports_table_gone")
async def test_a_database_failure_is_a_500_without_sql_or_trace(
    intake: IntakeUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    native = await intake.client.get("/v1/reports", params={"status": "received"})
    open311 = await intake.client.get(f"{V2}/requests.xml")

    problem = assert_problem(native, 500)
    open311_says = assert_open311_error(open311, 500)
    logged = " ".join(f"{record.msg} {record.exc_info}" for record in caplog.records)
    for text in (native.text, open311.text):
        assert 'relation "reports"' not in text
        assert "does not exist" not in text
        assert "SELECT" not in text
        assert "Traceback" not in text
        assert "asyncpg" not in text
    assert len(problem["trace_id"]) == 32
    assert problem["trace_id"] in logged
    assert "UndefinedTableError" in logged
    assert "trace id" in open311_says
