"""Building a service's subscriptions: names from settings, reactions keyed by event class.

A reaction lives in a service's `application/reactions.py` and has one shape everywhere::

    async def on_case_routed(event: CaseRouted, context: Closure, meta: EventMeta, conn: Connection) -> None

`meta` carries the reacting service's actor, the message as causation and its trace, for what
the reaction appends; `conn` is the consumer's transaction, the inbox's too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.imports import is_imported
from casekit.kafka.cloudevents import Inbound, causation_id
from casekit.kafka.consumer import BatchHandler, Handler, Subscription
from casekit.runtime import Runtime
from schemas.base import Event, Message
from schemas.topics import Topic, dead_letter

C = TypeVar("C")
Reaction = Callable[[Any, C, EventMeta, Connection], Awaitable[None]]
"""An application-layer reaction: (event, the service's context, metadata for what it appends, connection)."""


def reacting(actor: str, context: C, react: Reaction[C]) -> Handler:
    """A handler that runs `react` as `actor`, its events caused by the message and in its trace.

    An imported history is whole already, each service's part appended by the import itself
    (ADR 0015): reacting to it would route, time and call back cases that ended years ago.
    Projections still read it (they are raw handlers).
    """

    async def handle(message: Inbound[Any], conn: Connection) -> None:
        if is_imported(message.actor):
            return
        meta = EventMeta.traced(actor, causation_id=causation_id(message))
        await react(message.data, context, meta, conn)

    return handle


def subscription(
    runtime: Runtime,
    group: str,
    *,
    event_topics: Sequence[Topic] = (),
    types: EventTypes | None = None,
    actor: str = "",
    context: Any = None,
    reactions: Mapping[type[Event], Reaction[Any]] | None = None,
    handlers: Mapping[str, Handler] | None = None,
    messages: Mapping[Topic, tuple[type[Message], Handler]] | None = None,
    batch: BatchHandler | None = None,
) -> Subscription:
    """A consumer group's subscription, with every name prefixed as the settings say.

    `reactions` (event class -> reaction, run as `actor` with `context`) is what services use;
    `handlers` (type string -> raw handler) is for plumbing such as projections.
    """
    settings = runtime.settings
    handled = dict(handlers or {})
    for event_class, react in (reactions or {}).items():
        if event_class.type in handled:
            raise ValueError(f"{event_class.type} has two handlers in {group}")
        handled[event_class.type] = reacting(actor or f"system:{runtime.name}", context, react)
    return Subscription(
        group=settings.topic(group),
        event_topics=tuple(settings.topic(topic.name) for topic in event_topics),
        types=types or EventTypes([]),
        handlers=handled,
        messages={settings.topic(topic.name): pair for topic, pair in (messages or {}).items()},
        dead_letter_topic=settings.topic(dead_letter(group).name),
        batch=batch,
    )
