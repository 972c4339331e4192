"""环节用时: the time a case spent in each stage of the loop, against the limit it had there.

received → confirmed (核实) → routed (派遣) → signed for (签收) → disposed (处置) → verified (核查)
→ closed (结案) → called back (回访). A stage starts where the one before it ended (a stage the case
skipped, such as confirmation, is left out) and ends at the last event that ends it: after a rework
the disposal ends at the disposal that passed. Its limit is the deadline the services recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STAGES: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    # stage, 中文, the event that ends it, the events whose data names its deadline
    ("confirmation", "核实", "dispatch.CaseConfirmed", frozenset({"dispatch.ConfirmationRequested"})),
    ("routing", "派遣", "dispatch.CaseRouted", frozenset()),
    ("sign_for", "签收", "dispatch.CaseSignedFor", frozenset({"dispatch.CaseRouted"})),
    (
        "disposal",
        "处置",
        "closure.DisposalReported",
        frozenset(
            {
                "closure.ClosureOpened",
                "closure.ResponsibilityMoved",
                "closure.DeadlineExtended",
                "closure.CaseResumed",
                "closure.ReworkOrdered",
                "closure.CaseReopened",
            }
        ),
    ),
    ("verification", "核查", "closure.VerificationPassed", frozenset({"closure.DisposalReported"})),
    ("close", "结案", "closure.CaseClosed", frozenset()),
    ("callback", "回访", "closure.CallbackRecorded", frozenset({"closure.CaseClosed"})),
)


@dataclass(frozen=True)
class TracedEvent:
    type: str
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True)
class StageTime:
    stage: str
    label_zh: str
    started_at: datetime
    ended_at: datetime | None
    hours: float | None
    due_at: datetime | None
    late: bool | None
    """Ended after its deadline, or still open past it `now`; None without a deadline."""


def stage_times(events: Sequence[TracedEvent], now: datetime) -> list[StageTime]:
    """Each stage the case reached, in the loop's order, from its trace."""
    received = next((e.occurred_at for e in events if e.type == "intake.ReportReceived"), None)
    if received is None:
        return []
    times, started = [], received
    for stage, label, end_type, deadline_types in STAGES:
        ends = [e for e in events if e.type == end_type and _leads(e)]
        due = _due(stage, [e for e in events if e.type in deadline_types])
        if not ends and stage == "confirmation":
            continue  # never asked for
        ended = ends[-1].occurred_at if ends else None
        hours = None if ended is None else round((ended - started).total_seconds() / 3600, 2)
        late = None if due is None else (ended or now) > due
        times.append(StageTime(stage, label, started, ended, hours, due, late))
        if ended is None:
            break
        started = ended
    return times


def _leads(event: TracedEvent) -> bool:
    return event.type != "dispatch.CaseSignedFor" or event.data.get("role") == "lead"


def _disposal_due(data: Mapping[str, Any]) -> str | None:
    deadlines = data.get("deadlines") or ([data["disposal"]] if data.get("disposal") else [])
    return next((d["due_at"] for d in deadlines if d.get("stage") == "disposal"), None)


DUE_AT: Mapping[str, Callable[[Mapping[str, Any]], str | None]] = {
    "confirmation": lambda data: data.get("due_at"),
    "sign_for": lambda data: data.get("sign_for_due_at"),
    "disposal": _disposal_due,
    "verification": lambda data: (data.get("verification") or {}).get("due_at"),
    "callback": lambda data: (data.get("callback") or {}).get("due_at"),
}
"""Where each stage's deadline is in the data of the events that set it."""


def _due(stage: str, events: Sequence[TracedEvent]) -> datetime | None:
    """The stage's deadline as the last event that set it says."""
    read = DUE_AT.get(stage)
    for event in reversed(events):
        value = read(event.data) if read else None
        if value is not None:
            return datetime.fromisoformat(value)
    return None
