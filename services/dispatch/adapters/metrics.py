"""What an SRE watches in Dispatch beyond casekit's metrics: routing outcomes and how long routing takes."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram

from casekit.logs import get_logger
from schemas.base import Event
from schemas.dispatch import AssignmentOpened, CaseRouted, CaseUnroutable

log = get_logger("dispatch")


class RoutingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.decisions = Counter(
            "dispatch_routing_decisions_total", "Routing decisions, by kind, rule and outcome",
            ["kind", "rule", "outcome"], registry=registry,
        )  # fmt: skip
        self.delay = Histogram(
            "dispatch_routing_delay_seconds", "From Intake's receipt of a report to its first routing decision",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600), registry=registry,
        )  # fmt: skip

    def observe(self, events: Sequence[Event]) -> None:
        """Count and log the decisions among newly appended events.

        Called inside the deciding transaction: one that rolls back and is retried counts twice,
        which a rate over minutes does not notice.
        """
        opened = next((e for e in events if isinstance(e, AssignmentOpened)), None)
        for event in events:
            if isinstance(event, CaseRouted):
                self.decisions.labels(event.kind, event.rule, "routed").inc()
                log.info("case.routed", case_id=str(event.case_id), unit=event.unit_code, rule=event.rule,
                         kind=event.kind)  # fmt: skip
                if opened is not None:
                    self.delay.observe((event.routed_at - opened.received_at).total_seconds())
            elif isinstance(event, CaseUnroutable):
                self.decisions.labels("routing", "none", "unroutable").inc()
                log.warning("case.unroutable", case_id=str(event.case_id), reason=event.reason)
