"""casekit.web.guards on a bare app: the limits every service's routes get, and how they answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.responses import PlainTextResponse, Response
from starlette.types import Scope

from casekit.web.guards import install_guards
from casekit.web.limits import HttpLimits, json_depth, json_refusal
from casekit.web.refusals import Refusal

LIMITS = HttpLimits(max_body_bytes=1000, max_header_bytes=4000, max_json_depth=4)
JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
SQL = "SELECT name, phone FROM intake.reports WHERE case_id = $1"


class Thing(BaseModel):
    name: str
    value: Any = None


def teapot(scope: Scope, refusal: Refusal) -> Response:
    return PlainTextResponse(f"{refusal.status} {refusal.detail}", 418, headers=dict(refusal.headers))


def app() -> FastAPI:
    service = FastAPI()
    install_guards(service, LIMITS, {"/tea/": teapot})

    @service.post("/things")
    async def create(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    @service.get("/things")
    async def things() -> list[str]:
        return []

    @service.post("/tea/form", openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {}}}})
    async def form(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    @service.get("/boom")
    @service.get("/tea/boom")
    async def boom() -> None:
        raise RuntimeError(f"syntax error in {SQL}")

    return service


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def assert_problem(reply: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = reply.json()
    assert body["type"] == f"urn:city-cases:problem:{slug}"
    return body


async def test_a_body_over_the_limit_is_413_by_its_length(http: httpx.AsyncClient) -> None:
    reply = await http.post("/things", content=b'{"name": "' + b"x" * 1000 + b'"}', headers=JSON)
    fits = await http.post("/things", content=b'{"name": "' + b"x" * 900 + b'"}', headers=JSON)

    assert "1000 bytes" in assert_problem(reply, 413, "body-too-large")["detail"]
    assert fits.status_code == 200


async def test_a_body_sent_without_a_length_is_413_once_it_passes_the_limit(http: httpx.AsyncClient) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for n in range(100):
            sent.append(n)
            yield b"x" * 100
        yield b'"}'

    reply = await http.post("/things", content=chunks(), headers=JSON)

    assert_problem(reply, 413, "body-too-large")
    assert "content-length" not in reply.request.headers


async def test_a_json_route_refuses_other_media_types_with_415(http: httpx.AsyncClient) -> None:
    body = b'{"name": "a"}'
    plain = await http.post("/things", content=body, headers={"content-type": "text/plain"})
    untyped = await http.post("/things", content=body)
    latin = await http.post("/things", content=body, headers={"content-type": "application/json; charset=latin-1"})
    problem_json = await http.post("/things", content=body, headers={"content-type": "application/merge-patch+json"})
    utf8 = await http.post("/things", content=body, headers={"content-type": "application/json; charset=UTF-8"})

    assert "application/json" in assert_problem(plain, 415, "unsupported-media-type")["detail"]
    assert_problem(untyped, 415, "unsupported-media-type")
    assert_problem(latin, 415, "unsupported-media-type")
    assert (problem_json.status_code, utf8.status_code) == (200, 200)


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "a", "value": NaN}',
        b'{"name": "a", "value": -Infinity}',
        b'{"name": "a", "value": 1e400}',
        b'{"name": "\\ud800"}',
        b'{"name": "a",}',
    ],
    ids=["nan", "infinity", "overflow", "lone-surrogate", "trailing-comma"],
)
async def test_a_json_body_must_be_strict_json(http: httpx.AsyncClient, body: bytes) -> None:
    reply = await http.post("/things", content=body, headers=JSON)

    problem = assert_problem(reply, 422, "invalid-request")
    assert problem["errors"] == [{"path": "/body", "rule": "json_invalid", "message": problem["detail"]}]


async def test_a_json_body_nested_past_the_depth_limit_is_422(http: httpx.AsyncClient) -> None:
    deep = await http.post("/things", json={"name": "a", "value": [[[{"x": 1}]]]})  # depth 5
    fits = await http.post("/things", json={"name": "a", "value": [[{"x": 1}]]})  # depth 4

    assert assert_problem(deep, 422, "invalid-request")["errors"][0]["rule"] == "json_too_deep"
    assert fits.status_code == 200


def test_json_deeper_than_the_parser_goes_is_too_deep_too() -> None:
    refusal = json_refusal(b"[" * 5000 + b"]" * 5000, 32)

    assert refusal is not None
    assert refusal.errors == [{"path": "/body", "rule": "json_too_deep", "message": refusal.detail}]


def test_json_depth_counts_arrays_and_objects() -> None:
    values: tuple[Any, ...] = (1, "a", {}, [], {"a": [1, {"b": []}]})
    assert [json_depth(value, 10) for value in values] == [0, 0, 1, 1, 4]


async def test_header_fields_too_large_are_431(http: httpx.AsyncClient) -> None:
    one_large = await http.get("/things", headers={"x-actor": "a" * 100_000})
    many = await http.get("/things", headers={f"x-h{n}": "a" * 1000 for n in range(5)})
    fine = await http.get("/things", headers={"x-actor": "a" * 1000})

    assert_problem(one_large, 431, "header-fields-too-large")
    assert_problem(many, 431, "header-fields-too-large")
    assert fine.status_code == 200


async def test_a_request_target_too_long_is_414(http: httpx.AsyncClient) -> None:
    reply = await http.get("/things", params={"q": "a" * 9000})

    assert_problem(reply, 414, "uri-too-long")


async def test_an_unhandled_failure_is_a_generic_500_with_the_trace_id_and_is_logged_in_full(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await http.get("/boom")

    problem = assert_problem(reply, 500, "internal-error")
    assert SQL not in reply.text
    assert "RuntimeError" not in reply.text
    assert "Traceback" not in reply.text
    assert set(problem) == {"type", "title", "status", "detail", "instance", "trace_id"}
    assert any(SQL in (record.exc_text or "") or SQL in str(record.exc_info) for record in caplog.records)


async def test_a_405_names_every_method_of_the_path_in_allow(http: httpx.AsyncClient) -> None:
    reply = await http.delete("/things")

    assert_problem(reply, 405, "http-405")
    assert reply.headers["allow"] == "GET, POST"


async def test_a_prefix_answers_every_refusal_with_its_own_document(http: httpx.AsyncClient) -> None:
    large = await http.post("/tea/form", content=b"a=" + b"x" * 2000, headers=FORM)
    json_sent = await http.post("/tea/form", content=b'{"a": 1}', headers=JSON)
    method = await http.put("/tea/form", content=b"a=1", headers=FORM)
    failed = await http.get("/tea/boom")
    form = await http.post("/tea/form", content=b"a=1", headers=FORM)

    assert (large.status_code, large.text[:4]) == (418, "413 ")
    assert (json_sent.status_code, json_sent.text[:4]) == (418, "415 ")
    assert (method.status_code, method.text[:4], method.headers["allow"]) == (418, "405 ", "POST")
    assert (failed.status_code, failed.text[:4]) == (418, "500 ")
    assert SQL not in failed.text
    assert form.json() == {"length": 3}
