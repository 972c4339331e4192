"""Personal data (reporter name, phone, ID number) must never appear in a published event."""

from __future__ import annotations

import re
from typing import Any

PII_NAMES = re.compile(
    r"(^|_)(name|phone|mobile|tel|telephone|id_?number|id_?card|identity|email|contact|reporter)(_|$)", re.IGNORECASE
)
"""Field names that hold personal data; `unit_name` style names of organisations are allowed below."""
ALLOWED = {"unit_name"}
PII_MARK = "x-pii"
"""Set with `Field(json_schema_extra={"x-pii": True})` on a field that holds personal data."""


def personal_fields(schema: dict[str, Any], path: str = "") -> list[str]:
    """Paths of every property that is or looks like personal data, in the schema and its $defs."""
    found: list[str] = []
    for name, prop in schema.get("properties", {}).items():
        if (PII_NAMES.search(name) and name not in ALLOWED) or (isinstance(prop, dict) and prop.get(PII_MARK)):
            found.append(f"{path}/{name}")
        if isinstance(prop, dict):
            found += personal_fields(prop, f"{path}/{name}")
    for name, definition in schema.get("$defs", {}).items():
        found += personal_fields(definition, f"$defs/{name}")
    return found
