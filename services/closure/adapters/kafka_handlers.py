"""Closure's subscriptions."""

from __future__ import annotations

from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Subscription
from casekit.kafka.subscriptions import reaction, subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.dispatch import CaseRouted
from services.closure.application.reactions import on_case_routed

ACTOR = "system:closure"


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "closure",
            event_topics=[topics.DISPATCH_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            handlers={CaseRouted.type: reaction(runtime, ACTOR, on_case_routed)},
        )
    ]
