"""What an SRE watches in Closure beyond casekit's metrics: the loop's steps, deadlines missed, escalations.

Deadlines are counted by stage, the 12345 work order's `reply` among them; replies by outcome and lateness.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from prometheus_client import CollectorRegistry, Counter, Histogram

from casekit.logs import get_logger
from schemas.base import Event
from schemas.closure import (
    CaseClosed,
    CaseEscalated,
    CaseReplied,
    CaseUrged,
    DeadlineOverdue,
    DeadlineWarned,
    DisposalReported,
)

log = get_logger("closure")


class ClosureMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.steps = Counter(
            "closure_events_total", "Closure's decisions, by event type", ["type"], registry=registry,
        )  # fmt: skip
        self.deadlines = Counter(
            "closure_deadline_events_total", "Warnings, overdue marks and escalations, by stage",
            ["stage", "outcome"], registry=registry,
        )  # fmt: skip
        self.closed = Counter(
            "closure_cases_closed_total", "Cases closed, by closing kind", ["kind"], registry=registry,
        )  # fmt: skip
        self.replies = Counter(
            "closure_replies_total", "Final replies to 12345 work orders (办结回复), by outcome and lateness",
            ["outcome", "late"], registry=registry,
        )  # fmt: skip
        self.lateness = Histogram(
            "closure_overdue_lateness_seconds", "How long after its deadline an overdue mark was recorded",
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600), registry=registry,
        )  # fmt: skip

    def observe(self, events: Sequence[Event]) -> None:
        """Count and log newly appended events (inside the deciding transaction, like Dispatch's)."""
        for event in events:
            self.steps.labels(event.type.removeprefix("closure.")).inc()
            match event:
                case DeadlineWarned():
                    self._deadline(event.stage, "warned", event.case_id)
                case DeadlineOverdue():
                    self._deadline(event.stage, "overdue", event.case_id)
                    self.lateness.observe(max((event.flagged_at - event.due_at).total_seconds(), 0.0))
                case CaseEscalated():
                    self._deadline(event.stage, "escalated", event.case_id)
                    log.warning("case.escalated", case_id=str(event.case_id), stage=event.stage,
                                to_level=event.to_level, to_area=event.to_area_code)  # fmt: skip
                case CaseClosed():
                    self.closed.labels(event.kind).inc()
                    log.info("case.closed", case_id=str(event.case_id), kind=event.kind)
                case CaseReplied():
                    self.replies.labels(event.outcome, str(event.late).lower()).inc()
                    log.info("case.replied", case_id=str(event.case_id), outcome=event.outcome, late=event.late)
                case CaseUrged():
                    log.info("case.urged", case_id=str(event.case_id), kind=event.kind, notice_no=event.notice_no)
                case DisposalReported():
                    log.info("case.disposed", case_id=str(event.case_id), unit=event.unit_code, method=event.method,
                             round=event.round, late=event.late)  # fmt: skip

    def _deadline(self, stage: str, outcome: str, case_id: UUID) -> None:
        self.deadlines.labels(stage, outcome).inc()
        log.info(f"deadline.{outcome}", case_id=str(case_id), stage=stage)
