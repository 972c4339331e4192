"""Is a new JSON Schema of an event still readable by consumers of the released one?

Breaking, for a released (type, version): a field removed or renamed, a type or format
changed, a new required field, an enum value removed. Those need a new version and an
upcaster instead (docs/consumers.md, Versions).

Inbound messages are read by us, not by others: there accepting more (a wider type, a
field no longer required) is compatible; everything else is judged as for events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Schema = dict[str, Any]
Direction = Literal["published", "accepted"]


@dataclass
class _Comparison:
    old_root: Schema
    new_root: Schema
    direction: Direction
    problems: list[str] = field(default_factory=list)


def breaking_changes(old: Schema, new: Schema, direction: Direction = "published") -> list[str]:
    """`published`: others read what we write (events). `accepted`: we read what others send."""
    comparison = _Comparison(old, new, direction)
    _compare(old, new, "", comparison)
    return comparison.problems


def _resolve(schema: Schema, root: Schema) -> Schema:
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, not {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _variants(schema: Schema, root: Schema) -> list[Schema]:
    """The non-null alternatives of a schema (pydantic writes `X | None` as anyOf)."""
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    resolved = [_resolve(option, root) for option in options]
    return [option for option in resolved if option.get("type") != "null"]


def _types(schema: Schema, root: Schema) -> set[str]:
    found: set[str] = set()
    for option in schema.get("anyOf") or schema.get("oneOf") or [schema]:
        option = _resolve(option, root)
        kind = option.get("type")
        if isinstance(kind, list):
            found.update(kind)
        elif kind:
            found.add(kind)
        elif "properties" in option:
            found.add("object")
    return found


def _enum(schema: Schema) -> set[Any] | None:
    if "const" in schema:
        return {schema["const"]}
    return set(schema["enum"]) if "enum" in schema else None


def _compare(old: Schema, new: Schema, path: str, c: _Comparison) -> None:
    old, new = _resolve(old, c.old_root), _resolve(new, c.new_root)
    where = path or "/"
    old_types, new_types = _types(old, c.old_root), _types(new, c.new_root)
    widened = c.direction == "accepted" and old_types <= new_types
    if old_types and new_types and old_types != new_types and not widened:
        c.problems.append(f"{where}: type changed from {sorted(old_types)} to {sorted(new_types)}")
        return
    old_variants, new_variants = _variants(old, c.old_root), _variants(new, c.new_root)
    if len(old_variants) != 1 or len(new_variants) != 1:
        return  # unions of several shapes: compared by type only
    old, new = old_variants[0], new_variants[0]
    if old.get("format") != new.get("format"):
        c.problems.append(f"{where}: format changed from {old.get('format')} to {new.get('format')}")
    old_enum, new_enum = _enum(old), _enum(new)
    if new_enum is not None and (old_enum is None or old_enum - new_enum):
        removed = sorted(map(str, (old_enum or set()) - new_enum)) or ["(any value)"]
        c.problems.append(f"{where}: enum values removed: {', '.join(removed)}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            c.problems.append(f"{path}/{name}: field removed or renamed")
        else:
            _compare(old_prop, new_props[name], f"{path}/{name}", c)
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        c.problems.append(f"{path}/{name}: new required field")
    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], f"{path}/items", c)
