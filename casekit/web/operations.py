"""The app's operations as its OpenAPI document declares them: which methods a path takes, and in
which media types each operation takes its body. The middlewares ask it because FastAPI resolves
included routers lazily (its route list holds the routers, not their routes), while the document
is public, cached by FastAPI, and what clients and fuzzers read too."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    method: str
    path: re.Pattern[str]
    media: frozenset[str] | None
    """The media types of its request body; None: it declares none."""


class Operations:
    """Read from the document at the first question, once every router is included."""

    def __init__(self, openapi: Callable[[], dict[str, Any]]) -> None:
        self.openapi = openapi
        self.operations: list[Operation] | None = None

    def all(self) -> list[Operation]:
        if self.operations is None:
            self.operations = [
                Operation(method.upper(), compile_path(template)[0], _media(operation))
                for template, item in self.openapi().get("paths", {}).items()
                for method, operation in item.items()
                if method in METHODS
            ]
        return self.operations

    def media_for(self, method: str, path: str) -> frozenset[str] | None:
        for operation in self.all():
            if operation.method == method and operation.path.match(path):
                return operation.media
        return None

    def methods_at(self, path: str) -> list[str]:
        return sorted({operation.method for operation in self.all() if operation.path.match(path)})


def _media(operation: dict[str, Any]) -> frozenset[str] | None:
    content = (operation.get("requestBody") or {}).get("content")
    return frozenset(content) if content else None
