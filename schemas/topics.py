"""Every Kafka topic the system uses: names, partitions, retention. One place (DESIGN.md, Kafka)."""

from dataclasses import dataclass

FOREVER = -1
WEEK_MS = 7 * 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int = 6
    retention_ms: int = FOREVER
    """Domain topics keep everything so a new consumer can replay from the start."""


# Inbound channels (接诉即办 hotline, 网格员 grid patrol, 社区吹哨 community whistle).
REPORTS_WHISTLE = Topic("reports.whistle.v1")
REPORTS_GRID = Topic("reports.grid.v1")
REPORTS_HOTLINE = Topic("reports.hotline.v1")
CHANNEL_TOPICS = {"whistle": REPORTS_WHISTLE, "grid": REPORTS_GRID, "hotline": REPORTS_HOTLINE}

# Domain events, one topic per producing service, keyed by case id.
INTAKE_EVENTS = Topic("cases.intake.v1")
DISPATCH_EVENTS = Topic("cases.dispatch.v1")
CLOSURE_EVENTS = Topic("cases.closure.v1")


def dead_letter(consumer_group: str) -> Topic:
    """One dead-letter topic per consumer group, kept a week for inspection and replay."""
    return Topic(f"dlq.{consumer_group}", partitions=1, retention_ms=WEEK_MS)


CONSUMER_GROUPS = ("intake", "dispatch", "closure", "analytics")

ALL_TOPICS: tuple[Topic, ...] = (
    REPORTS_WHISTLE,
    REPORTS_GRID,
    REPORTS_HOTLINE,
    INTAKE_EVENTS,
    DISPATCH_EVENTS,
    CLOSURE_EVENTS,
    *(dead_letter(group) for group in CONSUMER_GROUPS),
)
