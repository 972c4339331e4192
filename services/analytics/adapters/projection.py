"""Projects every domain event into the case trace."""

from __future__ import annotations

from typing import Any

from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound
from casekit.kafka.consumer import Handler, Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from casekit.tracing import trace_id_of
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS

INSERT = """INSERT INTO case_trace (event_id, case_id, service, type, occurred_at, actor, trace_id, data,
        topic, kafka_partition, kafka_offset)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)"""


def service_of(source: str) -> str:
    """`/city-cases/intake` -> `intake`."""
    return source.rstrip("/").rsplit("/", 1)[-1]


async def project_to_trace(message: Inbound[Any], conn: Connection) -> None:
    await conn.execute(
        INSERT,
        message.id,
        message.data.case_id,
        service_of(message.source),
        message.type,
        message.time,
        message.actor,
        trace_id_of(message.traceparent),
        message.data.model_dump_json(),
        message.topic,
        message.partition,
        message.offset,
    )


def subscriptions(runtime: Runtime) -> list[Subscription]:
    handlers: dict[str, Handler] = {event.type: project_to_trace for event in ALL_EVENTS}
    domain_topics = [topics.INTAKE_EVENTS, topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS]
    types = EventTypes(ALL_EVENTS, UPCASTERS)
    return [subscription(runtime, "analytics", event_topics=domain_topics, types=types, handlers=handlers)]
