"""Closure's subscriptions: Dispatch's events, each class to its reaction, the 12345 platform's call-backs, and
Intake's record of the hotline's call-backs and notices (ADR 0017)."""

from __future__ import annotations

from typing import Any

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Handler, Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.closure import CallbackSubmission
from schemas.dispatch import (
    AssignmentOpened,
    CaseReturned,
    CaseRouted,
    CaseSignedFor,
    ExtensionApproved,
    ParkApproved,
    SelfDisposalRecorded,
)
from schemas.hotline import HotlineCallbackReceived, HotlineNoticeReceived
from services.closure.application import callbacks, hotline, reactions
from services.closure.application.context import Closure

ACTOR = "system:closure"


def hotline_handler(closure: Closure) -> Handler:
    """A call-back on `callbacks.hotline.v1`, recorded as `system:hotline` (the topic's only writer)."""

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        meta = EventMeta.traced(callbacks.ACTOR, causation_id=causation_id(message))
        await callbacks.on_hotline_callback(message.data, closure, meta, conn)

    return handle


def subscriptions(runtime: Runtime, closure: Closure) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "closure",
            event_topics=[topics.DISPATCH_EVENTS, topics.INTAKE_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            actor=ACTOR,
            context=closure,
            reactions={
                AssignmentOpened: reactions.on_assignment_opened,
                CaseRouted: reactions.on_case_routed,
                SelfDisposalRecorded: reactions.on_self_disposal,
                CaseReturned: reactions.on_case_returned,
                CaseSignedFor: reactions.on_case_signed_for,
                ParkApproved: reactions.on_park_approved,
                ExtensionApproved: reactions.on_extension_approved,
                HotlineCallbackReceived: hotline.on_hotline_callback_received,
                HotlineNoticeReceived: hotline.on_hotline_notice_received,
            },
            messages={topics.CALLBACKS_HOTLINE: (CallbackSubmission, hotline_handler(closure))},
        )
    ]
