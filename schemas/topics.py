"""Every Kafka topic the system uses: names, partitions, retention. One place (DESIGN.md, Kafka)."""

from dataclasses import dataclass

FOREVER = -1
DAY_MS = 24 * 3600 * 1000
WEEK_MS = 7 * DAY_MS
CHANNEL_RETENTION_DAYS = 7.0
"""Inbound channel topics carry reporters' names and phones as the channel sent them; Intake
consumes (and encrypts) them within seconds, so a week covers an outage and a replay, no more.
`KAFKA_CHANNEL_RETENTION_DAYS` (casekit/settings.py, TopicSettings) changes it where topics are made."""


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int = 6
    retention_ms: int = FOREVER
    """Domain topics keep everything so a new consumer can replay from the start."""


def channel_topic(channel: str, retention_days: float = CHANNEL_RETENTION_DAYS) -> Topic:
    """An inbound channel's topic (reports.<channel>.v1), kept `retention_days`, never for ever."""
    return Topic(f"reports.{channel}.v1", retention_ms=round(retention_days * DAY_MS))


# Inbound channels (接诉即办 hotline, 网格员 grid patrol, 社区吹哨 community whistle).
REPORTS_WHISTLE = channel_topic("whistle")
REPORTS_GRID = channel_topic("grid")
REPORTS_HOTLINE = channel_topic("hotline")
CHANNEL_TOPICS = {"whistle": REPORTS_WHISTLE, "grid": REPORTS_GRID, "hotline": REPORTS_HOTLINE}
CALLBACKS_HOTLINE = Topic("callbacks.hotline.v1", retention_ms=round(CHANNEL_RETENTION_DAYS * DAY_MS))
"""回访: the 12345 platform's call-back results, read by Closure (a resident's words: kept a week, like channels)."""

HOTLINE_OUTBOUND = Topic("hotline.outbound.v1", retention_ms=30 * DAY_MS)
"""What we send the 12345 platform (签收, 退单/延期申请, 进展, 办结), for platforms that read Kafka rather than
take our HTTP calls; the same messages, keyed by work-order number, in order per work order."""

# Domain events, one topic per producing service, keyed by case id.
INTAKE_EVENTS = Topic("cases.intake.v1")
DISPATCH_EVENTS = Topic("cases.dispatch.v1")
CLOSURE_EVENTS = Topic("cases.closure.v1")
DOMAIN_TOPICS = (INTAKE_EVENTS, DISPATCH_EVENTS, CLOSURE_EVENTS)


def dead_letter(consumer_group: str) -> Topic:
    """One dead-letter topic per consumer group, kept a week for inspection and replay."""
    return Topic(f"dlq.{consumer_group}", partitions=1, retention_ms=WEEK_MS)


CONSUMER_GROUPS = ("intake", "dispatch", "closure", "analytics")


def all_topics(channel_retention_days: float = CHANNEL_RETENTION_DAYS) -> tuple[Topic, ...]:
    """Every topic, the channel topics kept `channel_retention_days`."""
    return (
        *(channel_topic(channel, channel_retention_days) for channel in CHANNEL_TOPICS),
        Topic(CALLBACKS_HOTLINE.name, retention_ms=round(channel_retention_days * DAY_MS)),
        HOTLINE_OUTBOUND,
        *DOMAIN_TOPICS,
        *(dead_letter(group) for group in CONSUMER_GROUPS),
    )


ALL_TOPICS: tuple[Topic, ...] = all_topics()
