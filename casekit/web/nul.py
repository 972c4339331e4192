"""Refuse a NUL character (U+0000) in a request's path, query string or body, for every route at once.

PostgreSQL's text and jsonb cannot hold U+0000: a request that carried one to the database answered
500 on seven of Intake's routes (issue 8, defect 8). Validating each field would miss the next one,
so this middleware looks at what arrives before any route does. Plain ASGI: a BaseHTTPMiddleware
costs a task per request, and Intake's write path is benchmarked (ADR 0006).

What counts as a NUL:
- the path, percent-decoded by the server (`/v1/reports/a%00b`);
- the raw query string: `%00`, or a NUL byte;
- a JSON body: a `\\u0000` escape (not the text `\\\\u0000`, an escaped backslash before `u0000`),
  or a NUL byte; a form body (`application/x-www-form-urlencoded`): `%00`, or a NUL byte; any
  other text body (`text/*`): a NUL byte. Other media types (images, multipart) are left alone:
  their bytes may hold NULs, and their routes read them as bytes.

A refusal is 422 problem+json by default; a path prefix can have its own responder (Open311 answers
its spec's 400 error document there): casekit.web.refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from casekit.web.bodies import read_body, replay
from casekit.web.refusals import Refusal, Responders

Where = Literal["path", "query", "body"]

NUL = b"\x00"
PERCENT_NUL = b"%00"
JSON_ESCAPE = b"\\u0000"
DETAIL = "a NUL character (U+0000) is not allowed in the {where}"


def nul_refusal(where: Where) -> Refusal:
    """422 naming the part, as the app's other invalid requests (casekit.web.problems)."""
    detail = DETAIL.format(where=where)
    errors = [{"path": f"/{where}", "rule": "no_nul_character", "message": detail}]
    return Refusal(422, "invalid-request", detail, errors)


def has_json_nul(body: bytes) -> bool:
    """A NUL byte, or a `\\u0000` escape whose backslash is not itself escaped."""
    if NUL in body:
        return True
    at = body.find(JSON_ESCAPE)
    while at != -1:
        backslashes = 0
        while at - backslashes - 1 >= 0 and body[at - backslashes - 1] == 0x5C:  # "\"
            backslashes += 1
        if backslashes % 2 == 0:  # an even run before it is escaped backslashes: this one escapes
            return True
        at = body.find(JSON_ESCAPE, at + 1)
    return False


def has_form_nul(body: bytes) -> bool:
    return NUL in body or PERCENT_NUL in body


def has_text_nul(body: bytes) -> bool:
    return NUL in body


def body_check(scope: Scope) -> Callable[[bytes], bool] | None:
    """How to look for a NUL in this request's body, by its media type; None: nothing to look at."""
    content_type, has_body = b"", False
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.split(b";", 1)[0].strip().lower()
        elif name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            has_body = True
    if not has_body:
        return None
    # FastAPI reads a body without a media type as JSON.
    if not content_type or content_type == b"application/json" or content_type.endswith(b"+json"):
        return has_json_nul
    if content_type == b"application/x-www-form-urlencoded":
        return has_form_nul
    if content_type.startswith(b"text/"):
        return has_text_nul
    return None


class RefuseNul:
    """ASGI middleware: a request with a NUL in its path, query or body gets its refusal, not the app."""

    def __init__(self, app: ASGIApp, responders: Responders | None = None) -> None:
        self.app = app
        self.respond = responders or Responders()

    async def refuse(self, scope: Scope, where: Where, receive: Receive, send: Send) -> None:
        await self.respond(scope, nul_refusal(where))(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope["query_string"]
        if "\x00" in scope["path"]:
            await self.refuse(scope, "path", receive, send)
            return
        if PERCENT_NUL in query or NUL in query:
            await self.refuse(scope, "query", receive, send)
            return
        check = body_check(scope)
        if check is None:
            await self.app(scope, receive, send)
            return
        message = await read_body(receive)
        assert message is not None  # no limit here: casekit.web.limits has one
        if message["type"] == "http.request" and check(message.get("body", b"")):
            await self.refuse(scope, "body", receive, send)
            return
        await self.app(scope, replay(message, receive), send)
