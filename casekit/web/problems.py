"""RFC 9457 problem details, mapped once for every service; and the answer to a failure.

Every refusal goes through `Responders`, so a path prefix with its own error documents (Open311)
answers its 404s, 405s and 500s in them too. A failure nobody handled is a 500 with a generic
detail and the trace id, never the exception's text (a SQL statement, a driver message, a
stack trace): the log line with that trace id has it all (issue 9).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from opentelemetry import trace
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casekit.errors import (
    ConcurrencyError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    TooManyRequests,
    Unauthenticated,
)
from casekit.logs import get_logger
from casekit.web.operations import Operations
from casekit.web.refusals import MEDIA_TYPE, TYPE_BASE, Refusal, Responder, Responders, problem

__all__ = [
    "MEDIA_TYPE",
    "PROBLEMS",
    "TYPE_BASE",
    "HideFailures",
    "Responder",
    "count_refusal",
    "problem",
    "register_problems",
]

log = get_logger("casekit")
PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    TooManyRequests: (429, "too-many-requests"),
    NotFound: (404, "not-found"),
    RuleViolation: (409, "rule-violation"),
    ConcurrencyError: (409, "version-conflict"),
}
FAILED = "the service failed to answer this request; quote the trace id to its operators"


def register_problems(app: FastAPI, responders: Responders | None = None) -> None:
    respond = responders or Responders()

    async def problem_reply(request: Request, exc: Exception) -> Response:
        status, slug = next(v for kind, v in PROBLEMS.items() if isinstance(exc, kind))
        if status in (401, 403, 429):
            count_refusal(request, status)
        return respond(request.scope, Refusal(status, slug, str(exc), headers=problem_headers(exc) or {}))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"path": "/" + "/".join(str(p) for p in error["loc"]), "rule": error["type"], "message": error["msg"]}
            for error in exc.errors()
        ]
        detail = "the request does not satisfy the contract"
        return respond(request.scope, Refusal(422, "invalid-request", detail, errors))

    async def invalid_input(request: Request, exc: Exception) -> Response:
        """A rule the contract or the city imposes (unknown category, a point outside the city…)."""
        assert isinstance(exc, InvalidInput)
        path = "/body" + exc.path if exc.path.startswith("/") else exc.path
        errors = [{"path": path, "rule": exc.rule, "message": exc.reason}]
        return respond(request.scope, Refusal(422, "invalid-request", exc.reason, errors))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(Operations(request.app.openapi).methods_at(request.url.path))
        status = exc.status_code
        return respond(request.scope, Refusal(status, f"http-{status}", str(exc.detail), None, headers))

    for kind in PROBLEMS:
        app.add_exception_handler(kind, problem_reply)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(InvalidInput, invalid_input)
    app.add_exception_handler(HTTPException, http_error)


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


class HideFailures:
    """ASGI middleware: an exception nobody handled is answered 500 with the trace id and logged in full.

    Starlette's own ServerErrorMiddleware answers plain text and raises again; here the answer is
    the app's (problem+json, or the prefix's own document) and the server sees a finished request.
    """

    def __init__(self, app: ASGIApp, responders: Responders | None = None) -> None:
        self.app = app
        self.respond = responders or Responders()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            span = trace.get_current_span()  # the server span, which no longer sees the exception itself
            span.record_exception(error)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
            trace_id = _trace_id()
            log.exception("http.failed", method=scope["method"], path=scope["path"], answered=started)
            if started:  # the status line is gone: only closing the connection says it failed
                raise
            refusal = Refusal(500, "internal-error", FAILED, extra={"trace_id": trace_id})
            await self.respond(scope, refusal)(scope, receive, send)


def _trace_id() -> str | None:
    span = trace.get_current_span().get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else None
