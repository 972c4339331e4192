"""案件事实: one row of facts per case, folded from every service's events, versioned by when they were recorded.

Each event that says something about a case becomes a `FactChange` (which columns it sets, sets
only once, raises or counts up); a case's versions are the fold of all its changes in the order
they were recorded. The fold is a pure function of the set of changes, whatever order they
arrived in, so a rebuild writes exactly the rows the live consumer wrote, and `as_of` an instant
reads the version in force then: figures published last month stay reproducible after a later
correction (ADR 0016).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from h3.api import basic_str as h3

H3_RESOLUTION = 9
"""Hotspot cells (热点网格): about 0.1 km² each, finer than a unit grid, coarser than a street address."""

ColumnKind = Literal["text", "timestamptz", "boolean", "integer", "double precision"]
COLUMNS: Mapping[str, ColumnKind] = {
    "case_number": "text",
    "channel": "text",
    "category_code": "text",
    "urgency": "text",
    "district_code": "text",
    "street_code": "text",
    "community_code": "text",
    "grid_code": "text",
    "h3_cell": "text",
    "lat": "double precision",
    "lon": "double precision",
    "reported_at": "timestamptz",
    "found_by": "text",
    "self_disposed": "boolean",
    "imported": "boolean",
    "confirmation_due_at": "timestamptz",
    "confirmed_at": "timestamptz",
    "confirmation_late": "boolean",
    "voided_at": "timestamptz",
    "routed_at": "timestamptz",
    "unit_code": "text",
    "unit_name": "text",
    "returns": "integer",
    "signed_for_at": "timestamptz",
    "sign_for_late": "boolean",
    "disposal_due_at": "timestamptz",
    "disposed_at": "timestamptz",
    "disposal_late": "boolean",
    "disposal_method": "text",
    "verification_due_at": "timestamptz",
    "verified_at": "timestamptz",
    "verification_late": "boolean",
    "rework_count": "integer",
    "reopen_count": "integer",
    "parked_at": "timestamptz",
    "closed_at": "timestamptz",
    "closure_kind": "text",
    "callback_result": "text",
    "callback_at": "timestamptz",
    "escalations": "integer",
    "merged_reports": "integer",
    "close_due_at": "timestamptz",
    "work_order_no": "text",
    "reply_due_at": "timestamptz",
    "replied_at": "timestamptz",
    "reply_outcome": "text",
    "reply_late": "boolean",
    "callback_solved": "text",
    "urges": "integer",
}
"""Every fact column and its SQL type; `close_due_at` is derived (应结案: the disposal deadline, or the
report's instant for a self-disposal, which has none)."""
COUNTERS = frozenset(name for name, kind in COLUMNS.items() if kind == "integer")


@dataclass(frozen=True)
class FactChange:
    """What one event says about its case: columns it sets, sets once, raises to at least, counts up.

    Values are JSON (instants as ISO strings): a change is stored as it is and folded again when an
    event recorded earlier arrives later.
    """

    set: dict[str, Any] = field(default_factory=dict)
    first: dict[str, Any] = field(default_factory=dict)
    """Kept from the earliest event that set it: the first routing, the first disposal."""
    raise_to: dict[str, int] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in (("set", self.set), ("first", self.first), ("raise_to", self.raise_to), ("add", self.add))
            if value
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FactChange:
        return cls(
            dict(data.get("set", {})),
            dict(data.get("first", {})),
            dict(data.get("raise_to", {})),
            dict(data.get("add", {})),
        )


@dataclass(frozen=True)
class FactInput:
    """One event's change to one case, with the instants that order it."""

    case_id: UUID
    event_id: UUID
    recorded_at: datetime
    occurred_at: datetime
    change: FactChange


@dataclass(frozen=True)
class FactVersion:
    """The case's facts from `recorded_from` until `recorded_to` (None: still in force)."""

    case_id: UUID
    recorded_from: datetime
    recorded_to: datetime | None
    facts: dict[str, Any]


def h3_cell(lat: float | None, lon: float | None) -> str | None:
    return None if lat is None or lon is None else h3.latlng_to_cell(lat, lon, H3_RESOLUTION)


def fold(inputs: Iterable[FactInput]) -> list[FactVersion]:
    """A case's versions: one per distinct recording instant, each the fold of every change up to it."""
    ordered = sorted(inputs, key=lambda i: (i.recorded_at, i.occurred_at, i.event_id))
    versions: list[FactVersion] = []
    facts: dict[str, Any] = {name: 0 if name in COUNTERS else None for name in COLUMNS}
    for index, entry in enumerate(ordered):
        _apply(facts, entry.change)
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following is not None and following.recorded_at == entry.recorded_at:
            continue  # one version per instant: changes recorded together take effect together
        facts["close_due_at"] = facts["disposal_due_at"] or (facts["reported_at"] if facts["self_disposed"] else None)
        versions.append(
            FactVersion(
                entry.case_id, entry.recorded_at, None if following is None else following.recorded_at, dict(facts)
            )
        )
    return versions


def _apply(facts: dict[str, Any], change: FactChange) -> None:
    for name, value in change.set.items():
        facts[name] = _typed(name, value)
    for name, value in change.first.items():
        if facts[name] is None:
            facts[name] = _typed(name, value)
    for name, count in change.raise_to.items():
        facts[name] = max(facts[name], count)
    for name, count in change.add.items():
        facts[name] += count


def _typed(name: str, value: Any) -> Any:
    if value is not None and COLUMNS[name] == "timestamptz" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
