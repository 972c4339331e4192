"""Dispatch's subscriptions."""

from __future__ import annotations

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.intake import ReportReceived
from services.dispatch.application.reactions import on_report_received

ACTOR = "system:dispatch"


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def report_received(message: Inbound[ReportReceived], conn: Connection) -> None:
        meta = EventMeta.traced(ACTOR, causation_id=causation_id(message))
        await on_report_received(message.data, runtime.store, meta, conn)

    settings = runtime.settings
    return [
        Subscription(
            group=settings.topic("dispatch"),
            event_topics=(settings.topic(topics.INTAKE_EVENTS.name),),
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            handlers={ReportReceived.type: report_received},
            dead_letter_topic=settings.topic(topics.dead_letter("dispatch").name),
        )
    ]
