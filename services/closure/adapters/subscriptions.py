"""Closure's subscriptions: Dispatch's events, each class to its reaction."""

from __future__ import annotations

from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.dispatch import (
    CaseReturned,
    CaseRouted,
    CaseSignedFor,
    ExtensionApproved,
    ParkApproved,
    SelfDisposalRecorded,
)
from services.closure.application import reactions
from services.closure.application.context import Closure

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
            reactions={
                CaseRouted: reactions.on_case_routed,
                SelfDisposalRecorded: reactions.on_self_disposal,
                CaseReturned: reactions.on_case_returned,
                CaseSignedFor: reactions.on_case_signed_for,
                ParkApproved: reactions.on_park_approved,
                ExtensionApproved: reactions.on_extension_approved,
            },
        )
    ]
