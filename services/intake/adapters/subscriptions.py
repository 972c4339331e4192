"""Intake's subscriptions: the inbound channel topics, and downstream events for the public status."""

from __future__ import annotations

from typing import Any

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Handler, Subscription
from casekit.kafka.subscriptions import reacting, subscription
from casekit.projection import live_handlers, topics_of
from casekit.runtime import Runtime
from schemas import topics
from schemas.intake import ReportSubmission
from services.intake.adapters.projections import GROUP, PROJECTIONS, TYPES
from services.intake.application.context import Intake
from services.intake.application.reactions import on_public_change, on_report_submitted
from services.intake.domain.public_status import PUBLIC_CHANGES

ACTOR = "system:intake"


def channel_handler(intake: Intake, channel: str) -> Handler:
    """A channel topic's message as a submission, its actor the message's own (or the channel's)."""

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        meta = EventMeta.traced(message.actor or f"{channel}:kafka", causation_id=causation_id(message))
        await on_report_submitted(message.data, channel, intake, meta, conn)

    return handle


def subscriptions(runtime: Runtime, intake: Intake) -> list[Subscription]:
    # The change log for callbacks runs once per event, beside the projection (never on a rebuild).
    change_log = {event.type: reacting(ACTOR, intake, on_public_change) for event in PUBLIC_CHANGES}
    return [
        subscription(
            runtime,
            GROUP,
            messages={
                topic: (ReportSubmission, channel_handler(intake, channel))
                for channel, topic in topics.CHANNEL_TOPICS.items()
            },
            event_topics=topics_of(PROJECTIONS),
            types=TYPES,
            handlers=live_handlers(PROJECTIONS, also=change_log),
        )
    ]
