"""What travels with every event besides its data: identity, actor, causality, trace."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID

import asyncpg
import uuid_utils.compat as uuid_utils

from casekit.tracing import current_trace_headers


def new_id() -> UUID:
    """UUID v7: unique and sortable by time (DESIGN.md, Identity); Rust-backed, ~1 µs."""
    return uuid_utils.uuid7()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EventMeta:
    """Metadata an append stamps on each of its events."""

    actor: str
    correlation_id: UUID | None = None
    """The case id: the Kafka key and the thread through every service."""
    causation_id: UUID | None = None
    """The event (or inbound message) that caused this one."""
    traceparent: str | None = None
    tracestate: str | None = None
    occurred_at: datetime | None = None
    """A history's own instant (a legacy import); None: now. `recorded_at` is always the database's now."""

    @classmethod
    def by(cls, actor: str) -> EventMeta:
        return cls(actor=actor)

    @classmethod
    def traced(cls, actor: str, *, causation_id: UUID | None = None) -> EventMeta:
        """Metadata carrying the current span's trace context, so the trace goes on downstream."""
        traceparent, tracestate = current_trace_headers()
        return cls(actor=actor, causation_id=causation_id, traceparent=traceparent, tracestate=tracestate)

    def for_case(self, case_id: UUID) -> EventMeta:
        return replace(self, correlation_id=case_id)

    def at(self, occurred_at: datetime) -> EventMeta:
        """The same metadata for events that happened at `occurred_at` (an imported history)."""
        return replace(self, occurred_at=occurred_at)

    def occurred(self) -> datetime:
        return self.occurred_at or utc_now()


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the gap-free global order: (transaction id, sequence) (ADR 0002)."""

    transaction_id: int = 0
    global_position: int = 0


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _uuid_or_none(text: str | None) -> UUID | None:
    return None if text is None else UUID(text)


def instant(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class RecordedEvent(asyncpg.Record):
    """One row of the event store, as asyncpg builds it, with its fields named.

    Catch-up readers (the relay, projections rebuilding) page through many rows and touch
    few fields; building every datetime and object up front halved read throughput
    (BENCHMARKS.md). Instants travel as integer microseconds since the epoch. asyncpg makes
    the rows of this class itself (`record_class`): a wrapper object per row cost a fifth of
    a catch-up read, half of it in the garbage collector (ADR 0008).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"RecordedEvent({self.stream_id}@{self.version} {self.type})"

    @property
    def event_id(self) -> UUID:
        return UUID(self[0])

    @property
    def stream_id(self) -> str:
        return cast(str, self[1])

    @property
    def version(self) -> int:
        return cast(int, self[2])

    @property
    def type(self) -> str:
        return cast(str, self[3])

    @property
    def schema_version(self) -> int:
        return cast(int, self[4])

    @property
    def occurred_at(self) -> datetime:
        return instant(self[5])

    @property
    def recorded_at(self) -> datetime:
        return instant(self[6])

    @property
    def actor(self) -> str:
        return cast(str, self[7])

    @property
    def correlation_id(self) -> UUID | None:
        return _uuid_or_none(self[8])

    @property
    def causation_id(self) -> UUID | None:
        return _uuid_or_none(self[9])

    @property
    def traceparent(self) -> str | None:
        return cast("str | None", self[10])

    @property
    def tracestate(self) -> str | None:
        return cast("str | None", self[11])

    @property
    def data(self) -> str:
        """The event's JSON, as stored."""
        return cast(str, self[12])

    @property
    def position(self) -> Position:
        return Position(self[13], self[14])
