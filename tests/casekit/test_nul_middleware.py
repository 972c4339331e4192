"""casekit.web.nul on a bare app: what counts as a NUL, bodies in several messages, other media types."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from casekit.web.nul import RefuseNul, has_json_nul
from casekit.web.refusals import Refusal, Responders


async def echo(request: Request) -> Response:
    return JSONResponse({"length": len(await request.body())})


def teapot(scope: Scope, refusal: Refusal) -> Response:
    return PlainTextResponse(refusal.detail, 418)


def client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])
    wrapped = RefuseNul(app, responders=Responders({"/tea/": teapot}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://test")


@pytest.mark.parametrize(
    ("body", "nul"),
    [
        (rb'{"a": "\u0000"}', True),
        (rb'{"a": "x\u00001"}', True),
        (rb'{"a": "\\u0000"}', False),  # an escaped backslash, then the text u0000
        (rb'{"a": "\\\u0000"}', True),  # an escaped backslash, then a NUL
        (rb'{"a": "\\\\u0000"}', False),
        (rb'{"a": "\u0001", "b": "\\u0000"}', False),
        (b'{"a": "\x00"}', True),
        (rb'{"a": "u0000 0000"}', False),
    ],
)
def test_a_json_nul_is_an_unescaped_u0000_or_a_nul_byte(body: bytes, nul: bool) -> None:
    assert has_json_nul(body) is nul


async def test_a_nul_split_across_body_messages_is_found_and_a_clean_body_arrives_whole() -> None:
    async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    headers = {"content-type": "application/json"}
    async with client() as http:
        split = await http.post("/x", content=chunks(b'{"a": "\\u0', b'000"}'), headers=headers)
        clean = await http.post("/x", content=chunks(b'{"a": ', b'"b"}'), headers=headers)

    assert split.status_code == 422
    assert split.json()["errors"][0]["path"] == "/body"
    assert (clean.status_code, clean.json()) == (200, {"length": 10})


async def test_a_prefix_gets_its_own_responder_and_other_media_types_pass() -> None:
    async with client() as http:
        tea = await http.get("/tea/pot", params={"q": "a\x00"})
        other = await http.get("/coffee", params={"q": "a\x00"})
        image = await http.post("/x", content=b"\x89PNG\x00\x00", headers={"content-type": "image/png"})
        form = await http.post("/x", content=b"a=%00", headers={"content-type": "application/x-www-form-urlencoded"})
        json_text = await http.post("/x", content=b'{"a": "%00"}', headers={"content-type": "application/json"})

    assert (tea.status_code, tea.text) == (418, "a NUL character (U+0000) is not allowed in the query")
    assert other.status_code == 422
    assert image.status_code == 200
    assert form.status_code == 422
    assert json_text.status_code == 200
