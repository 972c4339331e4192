"""Intake's subscriptions: the inbound channel topics, and downstream events for the public status."""

from __future__ import annotations

from typing import Any

from casekit.envelope import EventMeta
from casekit.errors import RuleViolation
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Handler, Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.intake import ReportSubmission
from services.intake.adapters.records import apply_status
from services.intake.application.commands import Intake, submit_report
from services.intake.domain.public_status import OPEN_STATUSES, PUBLIC_CHANGES, public_change


def intake_of(runtime: Runtime) -> Intake:
    assert isinstance(runtime.context, Intake)
    return runtime.context


def on_report_submitted(runtime: Runtime, channel: str) -> Handler:
    async def handle(message: Inbound[ReportSubmission], conn: Connection) -> None:
        if message.data.channel != channel:
            raise RuleViolation(f"a {message.data.channel} report on the {channel} channel topic")
        meta = EventMeta.traced(message.actor or f"{channel}:kafka", causation_id=causation_id(message))
        await submit_report(message.data, intake_of(runtime), meta, conn=conn)

    return handle


async def on_downstream_event(message: Inbound[Any], conn: Connection) -> None:
    """Dispatch's and Closure's events change what the public is told."""
    change = public_change(message.type, message.data)
    if change is not None:
        still_open = change.status in OPEN_STATUSES
        await apply_status(
            conn, message.data.case_id, change.status, change.note, change.unit_code, change.unit_name, still_open
        )


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "intake",
            messages={
                topic: (ReportSubmission, on_report_submitted(runtime, channel))
                for channel, topic in topics.CHANNEL_TOPICS.items()
            },
            event_topics=[topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            handlers={event_type: on_downstream_event for event_type in PUBLIC_CHANGES},
        )
    ]
