"""Intake's subscriptions: the inbound channel topics, and downstream events for the public status."""

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
from schemas.intake import ReportSubmission
from services.intake.application.context import Intake
from services.intake.application.reactions import on_public_change, on_report_submitted
from services.intake.domain.public_status import PUBLIC_CHANGES


def channel_handler(intake: Intake, channel: str) -> Handler:
    """A channel topic's message as a submission, its actor the message's own (or the channel's)."""

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        meta = EventMeta.traced(message.actor or f"{channel}:kafka", causation_id=causation_id(message))
        await on_report_submitted(message.data, channel, intake, meta, conn)

    return handle


def subscriptions(runtime: Runtime, intake: Intake) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "intake",
            messages={
                topic: (ReportSubmission, channel_handler(intake, channel))
                for channel, topic in topics.CHANNEL_TOPICS.items()
            },
            event_topics=[topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            context=intake,
            reactions=dict.fromkeys(PUBLIC_CHANGES, on_public_change),
        )
    ]
