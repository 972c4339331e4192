"""The OpenAPI document says what the app really answers: a 422 is problem+json, not FastAPI's default.

FastAPI documents every invalid request as `application/json` `HTTPValidationError`; the app answers
them as RFC 9457 problem details with `errors` (casekit/web/problems.py). A client generated from
the document, or a fuzzer checking answers against it (tests/fuzz), would otherwise be misled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

PROBLEM_WITH_ERRORS: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
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
    },
}
INVALID = {"description": "The request does not satisfy the contract", "content": {
    "application/problem+json": {"schema": PROBLEM_WITH_ERRORS}
}}  # fmt: skip


def document_problems(app: FastAPI, keep: tuple[str, ...] = ()) -> None:
    """Rewrite every operation's 422 as problem+json, except under the path prefixes in `keep`
    (a protocol with its own error documents, such as Open311, declares its own)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        for path, operations in document.get("paths", {}).items():
            if path.startswith(keep):
                continue
            for operation in operations.values():
                responses = operation.get("responses", {})
                if "422" in responses:
                    responses["422"] = INVALID
        return document

    app.openapi = openapi  # type: ignore[method-assign]
