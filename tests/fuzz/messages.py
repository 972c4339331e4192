"""Malformed Kafka messages (hypothesis strategies), each built around a real message (a seed).

A seed is a message the system itself produced or accepts; every strategy here breaks it in one
way that no reader may accept: bytes that are not JSON, JSON that is not an object, a required
field gone or of the wrong kind, NaN, a NUL, a huge string or a deep nesting where a value
belongs, an unknown or missing CloudEvents attribute, a header that is not UTF-8, a schema
version nobody wrote. Every message carries a fresh key so its dead letter can be found.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from hypothesis import strategies as st
from pydantic import BaseModel

Headers = tuple[tuple[str, bytes], ...]
HUGE = 120_000
"""Characters in a huge string: some 360 kB of UTF-8, well inside Kafka's 1 MB message."""


@dataclass(frozen=True)
class Seed:
    """A real message of a topic: its headers and JSON body, and the model its body satisfies."""

    headers: Headers
    body: dict[str, Any]
    model: type[BaseModel]
    event: bool
    """A domain event (CloudEvents attributes required) or a channel message (headers optional)."""


@dataclass(frozen=True)
class Malformed:
    value: bytes | None
    headers: Headers
    defect: str
    """What is wrong with it, for the failure message."""

    def __repr__(self) -> str:  # a huge body must not flood a failure report
        return f"Malformed({self.defect!r:.80}, {len(self.value or b'')} bytes)"

    @property
    def utf8_headers(self) -> bool:
        try:
            for _, value in self.headers:
                value.decode()
        except UnicodeDecodeError:
            return False
        return True

    def header(self, name: str) -> str | None:
        return next((value.decode(errors="replace") for key, value in self.headers if key == name), None)


def required_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def with_header(headers: Headers, name: str, value: bytes | None) -> Headers:
    kept = tuple((key, old) for key, old in headers if key != name)
    return kept if value is None else (*kept, (name, value))


def _json_with_nan(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=True).encode()


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _wrong_kind(value: Any) -> st.SearchStrategy[Any]:
    """A value no field typed like `value` accepts, lax or strict: an object for a scalar, a list for an object."""
    if isinstance(value, dict):
        return st.one_of(
            st.lists(st.integers(-(2**63), 2**63 - 1), max_size=3), st.text(max_size=20).map(lambda text: [text])
        )
    return st.dictionaries(st.text(max_size=8), st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8), max_size=3).map(
        lambda mapping: {"fuzz": mapping}
    )


def _not_an_object(data: bytes) -> bool:
    try:
        return not isinstance(orjson.loads(data), dict)
    except orjson.JSONDecodeError:
        return True


def not_rfc3339(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return True
    return False


def body_defects(seed: Seed) -> st.SearchStrategy[Malformed]:
    """The seed's headers, a body no model accepts."""
    fields = required_fields(seed.model)
    field = st.sampled_from(fields)

    def body(value: bytes | None, defect: str) -> Malformed:
        return Malformed(value, seed.headers, defect)

    def mutated(change: Callable[[dict[str, Any], str], tuple[bytes, str]]) -> st.SearchStrategy[Malformed]:
        return field.map(lambda name: body(*change(dict(seed.body), name)))

    def without(data: dict[str, Any], name: str) -> tuple[bytes, str]:
        data.pop(name)
        return orjson.dumps(data), f"required field {name} missing"

    def nan(data: dict[str, Any], name: str) -> tuple[bytes, str]:
        return _json_with_nan({**data, name: math.nan}), f"{name} is NaN"

    def nul(data: dict[str, Any], name: str) -> tuple[bytes, str]:
        return orjson.dumps({**data, name: f"{data[name]}\u0000"}), f"{name} holds a NUL"

    def huge(data: dict[str, Any], name: str) -> tuple[bytes, str]:
        return orjson.dumps({**data, name: {"huge": "界" * HUGE}}), f"{name} is a huge object"

    def too_deep(data: dict[str, Any], name: str) -> tuple[bytes, str]:
        return orjson.dumps({**data, name: _nested(120)}), f"{name} nests 120 deep"

    wrong_kind = field.flatmap(
        lambda name: _wrong_kind(seed.body[name]).map(
            lambda value: body(orjson.dumps({**seed.body, name: value}), f"{name} of the wrong kind: {value!r:.60}")
        )
    )
    return st.one_of(
        st.binary(max_size=512).filter(_not_an_object).map(lambda data: body(data, f"bytes {data!r:.60}")),
        st.just(body(None, "no body (a tombstone)")),
        st.recursive(
            st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(),
            lambda children: st.lists(children, max_size=4),
            max_leaves=8,
        ).map(lambda data: body(orjson.dumps(data), f"JSON that is not an object: {data!r:.60}")),
        st.integers(1025, 4000).map(lambda depth: body(b"[" * depth + b"]" * depth, f"an array nested {depth} deep")),
        st.just(HUGE).map(lambda size: body(b'{"description": "' + "界".encode() * size, "a huge unterminated string")),
        mutated(without),
        mutated(nan),
        mutated(too_deep),
        mutated(huge),
        wrong_kind,
        field.filter(lambda name: isinstance(seed.body[name], str)).map(lambda name: body(*nul(dict(seed.body), name)))
        if any(isinstance(seed.body[name], str) for name in fields)
        else st.nothing(),
    )


def header_defects(seed: Seed, known_types: frozenset[str]) -> st.SearchStrategy[Malformed]:
    """The seed's valid body, CloudEvents headers no reader accepts."""
    valid = orjson.dumps(seed.body)

    def headed(headers: Headers, defect: str) -> Malformed:
        return Malformed(valid, headers, defect)

    not_utf8 = st.binary(min_size=1, max_size=16).filter(lambda raw: not _decodes(raw))
    bad_time = st.text(min_size=1, max_size=30).filter(not_rfc3339).filter(lambda text: "\x00" not in text)
    defects = [
        st.tuples(st.sampled_from(["ce_id", "ce_type", "ce_source", "x-junk"]), not_utf8).map(
            lambda pair: headed(with_header(seed.headers, pair[0], pair[1]), f"{pair[0]} is not UTF-8: {pair[1]!r}")
        ),
        bad_time.map(lambda text: headed(with_header(seed.headers, "ce_time", text.encode()), f"ce_time {text!r}")),
    ]
    if seed.event:
        unknown = st.text(min_size=1, max_size=40).filter(lambda text: text not in known_types)
        version = st.one_of(
            st.sampled_from(["x", "-1", "1.0", "²", "٣", "99", " 1", ""]),
            st.just(5000).map(lambda digits: "9" * digits),  # past int()'s 4300 digits
            st.text(min_size=1, max_size=10).filter(lambda text: not text.isascii() or not text.isdigit()),
        )
        defects += [
            st.sampled_from(["ce_id", "ce_type", "ce_source", "ce_specversion"]).map(
                lambda name: headed(with_header(seed.headers, name, None), f"{name} missing")
            ),
            st.text(max_size=10)
            .filter(lambda text: text != "1.0")
            .map(
                lambda text: headed(with_header(seed.headers, "ce_specversion", text.encode()), f"specversion {text!r}")
            ),
            unknown.map(lambda text: headed(with_header(seed.headers, "ce_type", text.encode()), f"type {text!r}")),
            version.map(
                lambda text: headed(
                    with_header(seed.headers, "ce_schemaversion", text.encode()), f"schemaversion {text!r:.40}"
                )
            ),
        ]
    return st.one_of(defects)


def old_version_defects(seed: Seed, versions: list[int]) -> st.SearchStrategy[Malformed]:
    """A body that claims an old schema version and is broken: the upcasters see it before validation."""
    broken = st.one_of(
        st.just({}),
        st.dictionaries(
            st.sampled_from(list(seed.body)),
            st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
            max_size=4,
        ),
        st.builds(
            lambda crs, lat: {**seed.body, "location": {"crs": crs, "lat": lat}},
            st.sampled_from(["GCJ02", "CGCS2000", "BD09"]) | st.text(max_size=6),
            st.none() | st.text(max_size=5) | st.floats(allow_nan=False),
        ),
    )
    return st.tuples(st.sampled_from(versions), broken).map(
        lambda pair: Malformed(
            orjson.dumps(pair[1]),
            with_header(seed.headers, "ce_schemaversion", str(pair[0]).encode()),
            f"v{pair[0]} body {pair[1]!r:.60}",
        )
    )


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True
