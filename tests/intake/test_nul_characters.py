"""A NUL character anywhere in a request is refused before it reaches PostgreSQL (issue 8, defect 8).

PostgreSQL's text and jsonb cannot hold U+0000; every route that passed one on answered 500.
casekit.web.nul refuses it once for every route: 422 problem+json on the native API, the Open311
400 error document in the asked format under /open311/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from devstack.stack import Stack
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import running, service_env
from tests.intake.conftest import IntakeUnderTest, issue_key, report

V2 = "/open311/v2"
KEY = "nul-test-key"
FORM = {"api_key": KEY, "service_code": "01002", "lat": "34.2680", "long": "117.1920", "description": "井盖"}
JSON = {"content-type": "application/json"}
URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
# Bodies as bytes: a JSON library would escape what we want to send as it is.
DESCRIPTION_WITH_NUL = (
    b'{"channel": "grid", "category_code": "01002", "description": "a\\u0000b",'
    b' "location": {"lat": 34.268, "lon": 117.192}}'
)
LITERAL_BACKSLASH_U0000 = DESCRIPTION_WITH_NUL.replace(b"a\\u0000b", b"a\\\\u0000b")  # the text `a\u0000b`


@pytest.fixture(autouse=True)
async def api_keys(intake: IntakeUnderTest) -> None:
    await issue_key(intake.app, "tester", KEY)


@pytest.fixture
async def callbacks_client(stack: Stack, database: str, topics_for: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        **service_env(stack, database, topics_for, "intake"), callback_allowlist=["http://127.0.0.1:"]
    )
    async with running(create_app(settings)) as client:
        yield client


def assert_problem(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = reply.json()
    assert problem["type"] == "urn:city-cases:problem:invalid-request"
    assert "NUL" in problem["detail"]
    return problem


NATIVE = [
    pytest.param("POST", "/v1/reports", {"content": DESCRIPTION_WITH_NUL, "headers": JSON}, "/body", id="json-body"),
    pytest.param("POST", "/v1/reports", {"content": b'{"x": "\x00"}', "headers": JSON}, "/body", id="raw-nul"),
    pytest.param("GET", "/v1/reports?status=a%00b", {}, "/query", id="query"),
    pytest.param("GET", "/v1/reports?external_id=%00", {}, "/query", id="query-only-nul"),
    pytest.param("GET", "/v1/reports/a%00b", {}, "/path", id="path"),
]


@pytest.mark.parametrize(("method", "url", "options", "where"), NATIVE)
async def test_the_native_api_refuses_a_nul_with_422_problem_details(
    intake: IntakeUnderTest, method: str, url: str, options: dict[str, Any], where: str
) -> None:
    reply = await intake.client.request(method, url, **options)

    problem = assert_problem(reply)
    assert [error["path"] for error in problem["errors"]] == [where]
    assert problem["instance"] == url.split("?")[0]  # as sent: the NUL is not echoed back
    assert await intake.events() == []


async def test_a_callback_subscription_with_a_nul_in_its_secret_is_refused(
    callbacks_client: httpx.AsyncClient,
) -> None:
    body = b'{"channel": "grid", "url": "http://127.0.0.1:9/x", "secret": "' + b"s" * 32 + b'\\u0000"}'

    reply = await callbacks_client.post("/v1/callbacks", content=body, headers=JSON)

    assert_problem(reply)
    assert (await callbacks_client.get("/v1/callbacks")).json() == []


async def test_an_escaped_backslash_before_u0000_is_plain_text_and_accepted(intake: IntakeUnderTest) -> None:
    reply = await intake.client.post("/v1/reports", content=LITERAL_BACKSLASH_U0000, headers=JSON)

    assert reply.status_code == 201, reply.text
    assert reply.json()["description"] == "a\\u0000b"


async def test_percent_00_in_json_text_is_plain_text_and_accepted(intake: IntakeUnderTest) -> None:
    reply = await intake.post(report(description="折扣 100%00 不是空字符"))

    assert reply.status_code == 201, reply.text


OPEN311 = [
    pytest.param("GET", "/requests/a%00b.{fmt}", {}, id="request"),
    pytest.param("GET", "/tokens/a%00b.{fmt}", {}, id="token"),
    pytest.param("GET", "/requests.{fmt}?service_request_id=a%00b", {}, id="request-ids"),
    pytest.param("GET", "/requests.{fmt}?status=open%00", {}, id="request-filter"),
    pytest.param(
        "POST",
        "/requests.{fmt}",
        {"content": urlencode({**FORM, "description": "a\x00b"}).encode(), "headers": URLENCODED},
        id="form-percent-00",
    ),
    pytest.param(
        "POST",
        "/requests.{fmt}",
        {"content": urlencode(FORM).encode() + b"&first_name=a\x00", "headers": URLENCODED},
        id="form-raw-nul",
    ),
]


@pytest.mark.parametrize(("method", "url", "options"), OPEN311)
async def test_open311_refuses_a_nul_with_its_400_error_in_json(
    intake: IntakeUnderTest, method: str, url: str, options: dict[str, Any]
) -> None:
    reply = await intake.client.request(method, V2 + url.format(fmt="json"), **options)

    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    [error] = reply.json()
    assert error["code"] == 400
    assert "NUL" in error["description"]
    assert await intake.events() == []


@pytest.mark.parametrize(("method", "url", "options"), OPEN311)
async def test_open311_refuses_a_nul_with_its_400_error_in_xml(
    intake: IntakeUnderTest, method: str, url: str, options: dict[str, Any]
) -> None:
    reply = await intake.client.request(method, V2 + url.format(fmt="xml"), **options)

    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(reply.content)
    assert (root.tag, root.findtext("error/code")) == ("errors", "400")
    assert "NUL" in (root.findtext("error/description") or "")
