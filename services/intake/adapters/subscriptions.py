"""Intake's subscriptions: the inbound channel topics, and downstream events for the public status and the hotline."""

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
from services.intake.application.hotline import on_hotline_event
from services.intake.application.reactions import on_public_change, on_report_submitted
from services.intake.domain.hotline_messages import OUTBOUND_EVENTS
from services.intake.domain.public_status import PUBLIC_CHANGES

ACTOR = "system:intake"


def channel_handler(intake: Intake, channel: str) -> Handler:
    """A channel topic's message as a submission, its actor the message's own (or the channel's)."""

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        meta = EventMeta.traced(message.actor or f"{channel}:kafka", causation_id=causation_id(message))
        await on_report_submitted(message.data, channel, intake, meta, conn)

    return handle


def first_then(first: Handler, then: Handler | None) -> Handler:
    """Both handlers in the consumer's transaction, `first` first (its append is the first write, ADR 0002)."""
    if then is None:
        return first

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        await first(message, conn)
        await then(message, conn)

    return handle


def subscriptions(runtime: Runtime, intake: Intake) -> list[Subscription]:
    # The change log for callbacks runs once per event, beside the projection (never on a rebuild).
    change_log = {event.type: reacting(ACTOR, intake, on_public_change) for event in PUBLIC_CHANGES}
    # A work order's events become messages to the hotline (ADR 0017); once too, never on a rebuild.
    for event in OUTBOUND_EVENTS:
        change_log[event.type] = first_then(reacting(ACTOR, intake, on_hotline_event), change_log.get(event.type))
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
