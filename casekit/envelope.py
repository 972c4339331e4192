"""What travels with every event besides its data: identity, actor, causality, trace."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID

import uuid6

from casekit.tracing import current_trace_headers


def new_id() -> UUID:
    """UUID v7: unique and sortable by time (DESIGN.md, Identity)."""
    return UUID(str(uuid6.uuid7()))


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


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the gap-free global order: (transaction id, sequence) (ADR 0002)."""

    transaction_id: int = 0
    global_position: int = 0


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One row of the event store, data left as JSON text until someone needs it."""

    event_id: UUID
    stream_id: str
    version: int
    type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    correlation_id: UUID | None
    causation_id: UUID | None
    traceparent: str | None
    tracestate: str | None
    data: str
    position: Position = field(default_factory=Position)
