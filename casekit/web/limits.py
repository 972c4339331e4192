"""Limits on what a request may be, for every route at once, before any route reads it (issue 9).

- The request target (path and query) at most 8 KiB: 414.
- Header fields at most `max_header_bytes` together and 8 KiB each: 431 (a 100 KB `X-Actor` was
  stored before). uvicorn's h11 parser has its own limit; httptools has none, so this one counts.
- A body at most `max_body_bytes`: 413, from its Content-Length before reading a byte, or while
  reading one sent without (chunked), stopping there.
- A body in a media type its operation takes, as the OpenAPI document declares it: 415 (JSON for a
  body model; Open311's POST declares its form in `openapi_extra`). An operation without a
  declared body is not judged here.
- A JSON body is RFC 8259 JSON: no NaN or Infinity, no number too large for a double, UTF-8, no
  lone surrogate (Python's json.loads, which FastAPI uses, takes all of those), nested at most
  `max_json_depth`: 422. orjson parses it here; FastAPI then parses what passed.

Plain ASGI like casekit.web.nul (ADR 0006). The refusal is problem+json or the path prefix's own
document (casekit.web.refusals).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from casekit.settings import ServiceSettings
from casekit.web.bodies import read_body, replay
from casekit.web.operations import Operations
from casekit.web.refusals import Refusal, Responders

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_TARGET_BYTES = 8192
MAX_FIELD_BYTES = 8192


@dataclass(frozen=True)
class HttpLimits:
    max_body_bytes: int = 1_048_576
    max_header_bytes: int = 16_384
    max_json_depth: int = 32

    @classmethod
    def of(cls, settings: ServiceSettings) -> HttpLimits:
        return cls(settings.http_max_body_bytes, settings.http_max_header_bytes, settings.http_max_json_depth)


def acceptable(content_type: bytes, media: frozenset[str]) -> bool:
    kind, *parameters = content_type.decode("latin-1").lower().split(";")
    kind = kind.strip()
    json_like = kind == JSON or (kind.startswith("application/") and kind.endswith("+json"))
    if kind not in media and not (json_like and JSON in media):
        return False
    for parameter in parameters:  # JSON and forms here are UTF-8 (RFC 8259; our forms say so)
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


def is_json(content_type: bytes) -> bool:
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))


def json_depth(value: Any, limit: int) -> int:
    """How deep arrays and objects nest (a bare object is 1), counting no further than past `limit`."""
    if not isinstance(value, dict | list):
        return 0
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        children: Iterable[Any] = node.values() if isinstance(node, dict) else node
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def json_refusal(body: bytes, max_depth: int) -> Refusal | None:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error) or "recursion" in str(error):  # orjson stops at 1024
            return _too_deep(max_depth)
        detail = f"the body is not JSON (RFC 8259: UTF-8, no NaN or Infinity): {error}"
        return Refusal(422, "invalid-request", detail, [{"path": "/body", "rule": "json_invalid", "message": detail}])
    if json_depth(value, max_depth) > max_depth:
        return _too_deep(max_depth)
    return None


def _too_deep(max_depth: int) -> Refusal:
    detail = f"the JSON body nests deeper than {max_depth} arrays and objects"
    return Refusal(422, "invalid-request", detail, [{"path": "/body", "rule": "json_too_deep", "message": detail}])


class RequestLimits:
    """ASGI middleware: refuses a request past a limit; the rest reach the app with their body whole."""

    def __init__(self, app: ASGIApp, operations: Operations, limits: HttpLimits, responders: Responders) -> None:
        self.app, self.operations, self.limits, self.respond = app, operations, limits, responders

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal, has_body, content_type, length = self.head(scope)
        if refusal is None and has_body:
            media = self.operations.media_for(scope["method"], scope["path"])
            if media is not None and not acceptable(content_type, media):
                takes = " or ".join(sorted(media))
                refusal = Refusal(415, "unsupported-media-type", f"this operation takes a body in {takes}")
        if refusal is None and length is not None and length > self.limits.max_body_bytes:
            refusal = self.too_large()
        if refusal is not None:
            await self.respond(scope, refusal)(scope, receive, send)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
        message = await read_body(receive, self.limits.max_body_bytes)
        if message is None:
            await self.respond(scope, self.too_large())(scope, receive, send)
            return
        await self.app(scope, replay(message, receive), send)

    def head(self, scope: Scope) -> tuple[Refusal | None, bool, bytes, int | None]:
        """A refusal of the request line or header fields; whether a body comes, its type and length."""
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        if target > MAX_TARGET_BYTES:
            detail = f"the request target (path and query) is longer than {MAX_TARGET_BYTES} bytes"
            return Refusal(414, "uri-too-long", detail), False, b"", None
        total, content_type, has_body, length = 0, b"", False, None
        for name, value in scope["headers"]:
            size = len(name) + len(value)
            total += size
            if size > MAX_FIELD_BYTES or total > self.limits.max_header_bytes:
                detail = (
                    f"a header field is larger than {MAX_FIELD_BYTES} bytes, or all of them together than "
                    f"{self.limits.max_header_bytes}"
                )
                return Refusal(431, "header-fields-too-large", detail), False, b"", None
            if name == b"content-type":
                content_type = value
            elif name == b"transfer-encoding":
                has_body = True
            elif name == b"content-length":
                if not value.strip().isdigit():
                    return Refusal(400, "bad-request", "Content-Length is not a number"), False, b"", None
                length = int(value)
                has_body = has_body or length > 0
        return None, has_body, content_type, length

    def too_large(self) -> Refusal:
        return Refusal(413, "body-too-large", f"the request body is larger than {self.limits.max_body_bytes} bytes")


class StrictJson:
    """ASGI middleware: a JSON body that is not RFC 8259 JSON, or nests too deep, is refused 422.

    Inside casekit.web.nul, so a NUL is refused as such rather than as a control character; inside
    RequestLimits, so the body it reads whole is at most the limit.
    """

    def __init__(self, app: ASGIApp, max_depth: int, responders: Responders) -> None:
        self.app, self.max_depth, self.respond = app, max_depth, responders

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_json(_content_type(scope)):
            await self.app(scope, receive, send)
            return
        message = await read_body(receive)
        assert message is not None  # no limit here: RequestLimits has one
        refusal = json_refusal(message.get("body", b""), self.max_depth) if message["type"] == "http.request" else None
        if refusal is not None:
            await self.respond(scope, refusal)(scope, receive, send)
            return
        await self.app(scope, replay(message, receive), send)


def _content_type(scope: Scope) -> bytes:
    return next((value for name, value in scope["headers"] if name == b"content-type"), b"")
