"""RFC 9457 problem details, mapped once for every service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from casekit.errors import (
    ConcurrencyError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    TooManyRequests,
    Unauthenticated,
)

TYPE_BASE = "urn:city-cases:problem"
MEDIA_TYPE = "application/problem+json"
PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    TooManyRequests: (429, "too-many-requests"),
    NotFound: (404, "not-found"),
    RuleViolation: (409, "rule-violation"),
    ConcurrencyError: (409, "version-conflict"),
}


def problem(
    status: int, slug: str, detail: str, instance: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"{TYPE_BASE}:{slug}",
        "title": slug.replace("-", " "),
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(jsonable_encoder(body), status, headers=headers, media_type=MEDIA_TYPE)


async def problem_reply(request: Request, exc: Exception) -> JSONResponse:
    status, slug = next(v for kind, v in PROBLEMS.items() if isinstance(exc, kind))
    if status in (401, 403, 429):
        count_refusal(request, status)
    return problem(status, slug, str(exc), request.url.path, headers=problem_headers(exc))


def count_refusal(request: Request, status: int) -> None:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        route = getattr(request.scope.get("route"), "path", "unmatched")
        runtime.metrics.access_refusals.labels(route, str(status)).inc()


def problem_headers(exc: Exception) -> dict[str, str] | None:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="city-cases"'}
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    return None


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"path": "/" + "/".join(str(p) for p in error["loc"]), "rule": error["type"], "message": error["msg"]}
        for error in exc.errors()
    ]
    return problem(422, "invalid-request", "the request does not satisfy the contract", request.url.path, errors=errors)


async def invalid_input(request: Request, exc: Exception) -> JSONResponse:
    """A rule the contract or the city imposes (unknown category, a point outside the city…)."""
    assert isinstance(exc, InvalidInput)
    errors = [{"path": "/body" + exc.path if exc.path.startswith("/") else exc.path, "rule": exc.rule,
               "message": exc.reason}]  # fmt: skip
    return problem(422, "invalid-request", exc.reason, request.url.path, errors=errors)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, f"http-{exc.status_code}", str(exc.detail), request.url.path)


def register_problems(app: FastAPI) -> None:
    for kind in PROBLEMS:
        app.add_exception_handler(kind, problem_reply)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(InvalidInput, invalid_input)
    app.add_exception_handler(HTTPException, http_error)
