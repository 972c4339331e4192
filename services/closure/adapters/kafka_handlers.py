"""Closure's subscriptions."""

from __future__ import annotations

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.dispatch import CaseRouted
from services.closure.application.reactions import on_case_routed

ACTOR = "system:closure"


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def case_routed(message: Inbound[CaseRouted], conn: Connection) -> None:
        meta = EventMeta.traced(ACTOR, causation_id=causation_id(message))
        await on_case_routed(message.data, runtime.store, meta, conn)

    settings = runtime.settings
    return [
        Subscription(
            group=settings.topic("closure"),
            event_topics=(settings.topic(topics.DISPATCH_EVENTS.name),),
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            handlers={CaseRouted.type: case_routed},
            dead_letter_topic=settings.topic(topics.dead_letter("closure").name),
        )
    ]
