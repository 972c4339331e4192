"""How build_app puts the gate in place: the verifiers, the admin routes, the documented refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from fastapi import FastAPI
from fastapi.routing import APIRoute

from casekit.access.guard import Access
from casekit.access.keys import KeyVerifier
from casekit.access.ratelimit import RateLimits
from casekit.access.tokens import TokenVerifier
from casekit.settings import ServiceSettings
from schemas.access import rule_for

PROBLEM = {
    "application/problem+json": {
        "schema": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
            },
        }
    }
}
REFUSALS = {
    401: "Who are you? No credentials, or ones that could not be verified",
    403: "Not yours: the caller's role, scope, unit, areas or channel do not allow it",
}
THROTTLED = {429: "Too many writes: try again after `Retry-After` seconds"}


def access_for(service: str, settings: ServiceSettings, pool: asyncpg.Pool) -> Access:
    tokens = TokenVerifier(
        settings.access_issuer, settings.access_audience, settings.access_jwks_file, settings.access_jwks_url
    )
    limits = RateLimits(settings.access_rate_per_caller, settings.access_rate_per_address)
    return Access(service, tokens, KeyVerifier(pool, settings.access_key_cache_seconds), limits)


def operation_id(service: str) -> Callable[[APIRoute], str]:
    def unique_id(route: APIRoute) -> str:
        return f"{service}.{route.name}"

    return unique_id


def declare_refusals(app: FastAPI, service: str) -> None:
    """Every protected operation documents its 401 and 403 (and 429 for writes) in OpenAPI.

    Added to the generated document, by operation id, rather than to the routes: FastAPI
    includes routers lazily, so `app.routes` does not list every route.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        for operation in (op for methods in document.get("paths", {}).values() for op in methods.values()):
            rule = rule_for(service, str(operation.get("operationId", "")).removeprefix(f"{service}."))
            if rule is None or rule.open:
                continue
            answers = {**REFUSALS, **(THROTTLED if rule.write else {})}
            for status, description in answers.items():
                operation.setdefault("responses", {}).setdefault(
                    str(status), {"description": description, "content": PROBLEM}
                )
        return document

    app.openapi = openapi  # type: ignore[method-assign]
