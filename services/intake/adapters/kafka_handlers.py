"""Intake's inbound channel topics: the same report body as the HTTP API."""

from __future__ import annotations

from casekit.envelope import EventMeta
from casekit.errors import RuleViolation
from casekit.eventstore import Connection
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Handler, Subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.intake import ReportSubmission
from services.intake.application.commands import submit_report


def on_report_submitted(runtime: Runtime, channel: str) -> Handler:
    async def handle(message: Inbound[ReportSubmission], conn: Connection) -> None:
        if message.data.channel != channel:
            raise RuleViolation(f"a {message.data.channel} report on the {channel} channel topic")
        meta = EventMeta.traced(message.actor or f"{channel}:kafka", causation_id=causation_id(message))
        await submit_report(message.data, runtime.store, meta, conn)

    return handle


def subscriptions(runtime: Runtime) -> list[Subscription]:
    settings = runtime.settings
    return [
        Subscription(
            group=settings.topic("intake"),
            messages={
                settings.topic(topic.name): (ReportSubmission, on_report_submitted(runtime, channel))
                for channel, topic in topics.CHANNEL_TOPICS.items()
            },
            dead_letter_topic=settings.topic(topics.dead_letter("intake").name),
        )
    ]
