"""Every contract, for registries, consumers and the generated schemas."""

from schemas import topics
from schemas.base import Event, Message
from schemas.closure import CLOSURE_EVENTS, CallbackSubmission
from schemas.dispatch import DISPATCH_EVENTS
from schemas.hotline import HOTLINE_EVENTS
from schemas.intake import ReportLinked, ReportReceived, ReportSubmission
from schemas.legacy import ReportReceivedV1, ReportReceivedV2
from schemas.patrol import PATROL_EVENTS
from schemas.topics import Topic
from schemas.upcasting import UPCASTERS

INTAKE_CURRENT: tuple[type[Event], ...] = (ReportReceived, ReportLinked, *HOTLINE_EVENTS, *PATROL_EVENTS)
ALL_EVENTS: tuple[type[Event], ...] = (*INTAKE_CURRENT, *DISPATCH_EVENTS, *CLOSURE_EVENTS)
"""The current version of every published event type."""

RELEASED_VERSIONS: tuple[type[Event], ...] = (ReportReceivedV2, ReportReceivedV1)
"""Older released versions, still readable through `UPCASTERS`."""

PUBLISHED: dict[Topic, tuple[type[Event], ...]] = {
    topics.INTAKE_EVENTS: (*INTAKE_CURRENT, ReportReceivedV2, ReportReceivedV1),
    topics.DISPATCH_EVENTS: DISPATCH_EVENTS,
    topics.CLOSURE_EVENTS: CLOSURE_EVENTS,
}
"""Each domain topic and every event version it may carry, from its first offset on."""

INBOUND: dict[Topic, type[Message]] = {
    **{topic: ReportSubmission for topic in topics.CHANNEL_TOPICS.values()},
    topics.CALLBACKS_HOTLINE: CallbackSubmission,
}

__all__ = ["ALL_EVENTS", "INBOUND", "PUBLISHED", "RELEASED_VERSIONS", "UPCASTERS"]
