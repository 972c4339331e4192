"""What an SRE and a supervisor's dashboard watch of patrols (巡查): points, starts, finishes, flags.

Counted and logged from the events a transaction appends (called inside it: one rolled back and
retried counts twice, which a rate over minutes does not notice)."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter

from casekit.logs import get_logger
from schemas.base import Event
from schemas.patrol import GridPatrolOverdue, PatrolFinished, PatrolStarted, TrackPointsRecorded

log = get_logger("intake")


class PatrolMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.started = Counter("intake_patrols_started_total", "Patrols started (开始巡查)", registry=registry)
        self.points = Counter(
            "intake_patrol_points_recorded_total", "GPS points recorded on patrols (轨迹), each once", registry=registry
        )
        self.finished = Counter(
            "intake_patrols_finished_total", "Patrols finished: by the officer, or by Intake past the longest patrol",
            ["by"], registry=registry,
        )  # fmt: skip
        self.overdue = Counter(
            "intake_grid_patrols_overdue_total", "Unpatrolled-grid flags raised (未按时巡查)", registry=registry
        )

    def observe(self, events: Sequence[Event]) -> None:
        for event in events:
            match event:
                case PatrolStarted():
                    self.started.inc()
                    log.info("patrol.started", case_id=str(event.case_id), officer=event.officer,
                             grids=len(event.assigned_grids))  # fmt: skip
                case TrackPointsRecorded():
                    self.points.inc(len(event.points))
                case PatrolFinished():
                    self.finished.labels("intake" if event.auto else "officer").inc()
                    log.info("patrol.finished", case_id=str(event.case_id), officer=event.officer,
                             auto=event.auto, seconds=round(event.seconds), metres=round(event.metres),
                             grids=len(event.visits))  # fmt: skip
                case GridPatrolOverdue():
                    self.overdue.inc()
                    log.warning("grid.patrol_overdue", case_id=str(event.case_id), grid_code=event.grid_code,
                                due_at=event.due_at.isoformat())  # fmt: skip
