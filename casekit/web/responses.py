"""The refusals every operation may answer, declared in every service's OpenAPI document once.

The guards (casekit.web.guards) refuse for every route, so every operation's document names those
refusals, as problem+json, without each route repeating them; a fuzzer (schemathesis) then knows
each status it may meet. Paths with their own error documents (Open311) declare their own
responses and are left alone here, but for FastAPI's default 422, which they never answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI

from casekit.web.refusals import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:city-cases:problem:<slug>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "rule": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "trace_id": {"type": ["string", "null"], "description": "On a 500: the trace whose logs tell what failed"},
    },
}
WRITES = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    404: "Not found",
    409: "Refused by a rule of the domain, or a concurrent change",
    413: "The request body is larger than the limit",
    414: "The request target is longer than the limit",
    415: "The body is not in a media type this operation takes",
    422: "The request does not satisfy the contract (invalid JSON, too deep, a field out of its rules)",
    429: "Too many requests; retry after the number of seconds in Retry-After",
    431: "The header fields are larger than the limit",
    500: "The service failed; the trace id names its logs",
}
FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """One `responses=` entry: problem+json, for a route that declares a refusal of its own."""
    response: dict[str, Any] = {
        "description": description or DESCRIPTIONS.get(status, "Refused"),
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}}
    return response


def refusals_of(method: str, operation: dict[str, Any]) -> list[int]:
    """What the guards and the exception map may answer for this operation."""
    statuses = [414, 431, 500]
    parameters = operation.get("parameters") or []
    if parameters or operation.get("requestBody"):
        statuses.append(422)
    if operation.get("requestBody"):
        statuses += [413, 415]
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append(404)
    if method in WRITES:
        statuses += [409, 429]
    return sorted(statuses)


def document_refusals(app: FastAPI, own_documents: Iterable[str] = ()) -> None:
    """Wrap `app.openapi` so the document it builds (once, as FastAPI caches it) names the refusals."""
    build: Callable[[], dict[str, Any]] = app.openapi
    prefixes = tuple(own_documents)
    done = False

    def openapi() -> dict[str, Any]:
        nonlocal done
        schema = build()
        if not done:
            add_refusals(schema, prefixes)
            done = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_refusals(schema: dict[str, Any], own_documents: tuple[str, ...]) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            default_422 = FASTAPI_422 in str(responses.get("422", ""))
            if path.startswith(own_documents):
                if default_422:
                    del responses["422"]
                continue
            for status in refusals_of(method, operation):
                if str(status) not in responses or (status == 422 and default_422):
                    responses[str(status)] = problem_response(status)
    schemas = schema["components"]["schemas"]
    if FASTAPI_422 not in str(schema.get("paths")):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
