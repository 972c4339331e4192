"""Closure's subscriptions: Dispatch's events, each class to its reaction."""

from __future__ import annotations

from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.dispatch import CaseRouted
from services.closure.application.context import Closure
from services.closure.application.reactions import on_case_routed

ACTOR = "system:closure"


def subscriptions(runtime: Runtime, closure: Closure) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "closure",
            event_topics=[topics.DISPATCH_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            actor=ACTOR,
            context=closure,
            reactions={CaseRouted: on_case_routed},
        )
    ]
