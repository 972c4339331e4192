"""The case trace (案件轨迹): every domain event of every service, one entry each, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from casekit.errors import RuleViolation
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.projection import ProjectionHandler
from casekit.tracing import trace_id_of
from schemas.base import Event
from schemas.catalog import ALL_EVENTS
from schemas.patrol import PATROL_EVENTS


@dataclass(frozen=True)
class TraceRecord:
    """One event as the trace shows it, and where on Kafka it came from."""

    event_id: UUID
    case_id: UUID
    service: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    """When its service recorded it: the trace `as_of` an instant shows what was known then."""
    actor: str | None
    trace_id: str | None
    data: dict[str, Any]
    topic: str
    partition: int
    offset: int


class TraceRows(Protocol):
    """Where trace entries go (adapters/views/case_trace.py)."""

    async def add(self, entry: TraceRecord) -> None: ...


def service_of(source: str) -> str:
    """`/city-cases/intake` -> `intake`."""
    return source.rstrip("/").rsplit("/", 1)[-1]


async def on_any_event(message: Inbound[Event], trace: TraceRows) -> None:
    """Every event joins its case's trace, at the instant it says it happened."""
    if message.time is None:  # our relays always set ce_time; without it an event has no place in the order
        raise RuleViolation(f"event {message.id} has no ce_time")
    await trace.add(
        TraceRecord(
            event_id=causation_id(message),  # the event id; a stable UUID for ids that are not
            case_id=message.data.case_id,
            service=service_of(message.source),
            type=message.type,
            occurred_at=message.time,
            recorded_at=message.recorded or message.time,
            actor=message.actor,
            trace_id=trace_id_of(message.traceparent),
            data=message.data.model_dump(mode="json"),
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
    )


CASE_EVENTS: tuple[type[Event], ...] = tuple(event for event in ALL_EVENTS if event not in PATROL_EVENTS)
"""Every published event type about a case. A patrol's, a work log's or a grid watch's events share
Intake's topic, but their `case_id` is the patrol's (log's, watch's) own id, not a case: they have no
trace (Analytics' patrol read model takes them, services/analytics/application/patrols.py)."""
HANDLERS: dict[type[Event], ProjectionHandler[TraceRows]] = {event: on_any_event for event in CASE_EVENTS}
"""Every case event type, each at its current version (older ones are upcast on the way in)."""
