"""Building a service's subscriptions: names from settings, reactions with traced causality."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from casekit.envelope import EventMeta
from casekit.eventstore import Connection, EventStore
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import Handler, Subscription
from casekit.runtime import Runtime
from schemas.base import Message
from schemas.topics import Topic, dead_letter

Reaction = Callable[[Any, EventStore, EventMeta, Connection], Awaitable[None]]
"""An application-layer reaction: (event, store, metadata for what it appends, connection)."""


def reaction(runtime: Runtime, actor: str, react: Reaction) -> Handler:
    """A handler that runs `react` as `actor`, its events caused by the message and in its trace."""

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        meta = EventMeta.traced(actor, causation_id=causation_id(message))
        await react(message.data, runtime.store, meta, conn)

    return handle


def subscription(
    runtime: Runtime,
    group: str,
    *,
    event_topics: Sequence[Topic] = (),
    types: EventTypes | None = None,
    handlers: Mapping[str, Handler] | None = None,
    messages: Mapping[Topic, tuple[type[Message], Handler]] | None = None,
) -> Subscription:
    """A consumer group's subscription, with every name prefixed as the settings say."""
    settings = runtime.settings
    return Subscription(
        group=settings.topic(group),
        event_topics=tuple(settings.topic(topic.name) for topic in event_topics),
        types=types or EventTypes([]),
        handlers=handlers or {},
        messages={settings.topic(topic.name): handled for topic, handled in (messages or {}).items()},
        dead_letter_topic=settings.topic(dead_letter(group).name),
    )
