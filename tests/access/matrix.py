"""Walks a service's routes against the authorisation table (schemas/access.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from schemas.access import Rule, rule_for

PATH_VALUES = {"suffix": "json", "service_code": "01002", "key_id": "nosuchkey0"}


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    method: str
    path: str
    rule: Rule | None

    @property
    def id(self) -> str:
        return f"{self.service}.{self.name} {self.method} {self.path}"

    def url(self) -> str:
        """The path with every parameter filled by a value the route parses (a UUID where one is wanted)."""
        filled = self.path
        while "{" in filled:
            start, end = filled.index("{"), filled.index("}")
            name = filled[start + 1 : end].split(":")[0]
            filled = filled[:start] + PATH_VALUES.get(name, str(uuid.uuid4())) + filled[end + 1 :]
        return filled


def operations(app: FastAPI, service: str) -> Iterator[Operation]:
    """Every operation the service serves, from its OpenAPI document (operation ids are
    `<service>.<route name>`, casekit/access/wiring.py); no route is hidden from it (checked below)."""
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            name = operation["operationId"].removeprefix(f"{service}.")
            yield Operation(service, name, method.upper(), path, rule_for(service, name))


def missing_rows(app: FastAPI, service: str) -> list[str]:
    return [op.id for op in operations(app, service) if op.rule is None]


def route_names(routes: Sequence[BaseRoute]) -> set[str]:
    """Every API route's name, through the routers FastAPI includes lazily."""
    names: set[str] = set()
    for route in routes:
        if isinstance(route, APIRoute):
            names.add(route.name)
        included = getattr(route, "original_router", None)
        if included is not None:
            names |= route_names(included.routes)
    return names


def hidden_routes(app: FastAPI, service: str) -> set[str]:
    """Routes left out of the OpenAPI document, which the matrix would not walk."""
    return route_names(app.router.routes) - {op.name for op in operations(app, service)}
