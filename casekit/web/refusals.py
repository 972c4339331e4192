"""A refusal the plumbing makes for every route (a NUL, a body too large, a wrong media type, a
failure), and who answers it: problem+json by default, a path prefix's own responder where a
protocol has its own error documents (Open311 at `/open311/v2`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.types import Scope

TYPE_BASE = "urn:city-cases:problem"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, slug: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document."""
    body = {
        "type": f"{TYPE_BASE}:{slug}",
        "title": slug.replace("-", " "),
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(jsonable_encoder(body), status, media_type=MEDIA_TYPE)


@dataclass(frozen=True)
class Refusal:
    """What is refused and why, before anyone decides how to say it."""

    status: int
    slug: str
    """The problem type's last part, e.g. `body-too-large` (urn:city-cases:problem:body-too-large)."""
    detail: str
    errors: list[dict[str, str]] | None = None
    """Per part of the request, as the app's 422s have them: path, rule, message."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """E.g. `Allow` on a 405."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """More members of the problem document, e.g. `trace_id`."""


Responder = Callable[[Scope, Refusal], Response]
"""Builds the answer to a refusal of the request whose ASGI scope is given."""


def instance_of(scope: Scope) -> str:
    """The path as sent, still percent-encoded: a decoded one could echo a NUL or markup back."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("ascii", "replace") if raw else str(scope["path"]).replace("\x00", "%00")


def as_problem(scope: Scope, refusal: Refusal) -> Response:
    """The default: RFC 9457 problem+json, as every other 4xx of the app."""
    extra: dict[str, Any] = dict(refusal.extra)
    if refusal.errors is not None:
        extra["errors"] = refusal.errors
    response = problem(refusal.status, refusal.slug, refusal.detail, instance_of(scope), **extra)
    response.headers.update(refusal.headers)
    return response


class Responders:
    """Per path prefix, who answers a refusal there; the longest prefix wins, problem+json elsewhere."""

    def __init__(self, by_prefix: Mapping[str, Responder] | None = None) -> None:
        self.by_prefix = sorted((by_prefix or {}).items(), key=lambda item: -len(item[0]))

    def __call__(self, scope: Scope, refusal: Refusal) -> Response:
        path: str = scope["path"]
        respond = next((respond for prefix, respond in self.by_prefix if path.startswith(prefix)), as_problem)
        return respond(scope, refusal)
