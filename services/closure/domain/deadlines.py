"""时限: Closure's deadlines in working time, their warnings and escalations (督办), and the timers they owe.

A deadline starts at an instant, warns after `warn_share` of its limit (measured in the limit's
own time: clock time for minutes and hours, working time for working hours and days), falls due
at its end, and escalates `escalate_after` later to the level above the unit. A park stops every
clock; the resume gives each deadline the time it had left.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityconfig.worktime import WorkCalendar
from schemas.closure import Deadline, EscalationLevel, Stage
from schemas.dispatch import StageLimits, TimeLimit, UnitLevel, Urgency

DEFAULT_DISPOSAL = TimeLimit(amount=5, unit="working_days")
"""处置 when neither the routing event nor the routing table names a limit."""
DEFAULT_VERIFICATION = TimeLimit(amount=2, unit="working_hours")
"""核查 when none is named (DOMAIN.md: 1 hour in the city, 2 in rural areas, 30 minutes in a vendor's system)."""
DEFAULT_ESCALATE_AFTER = TimeLimit(amount=4, unit="working_hours")
DEFAULT_WARN_SHARE = 0.8
ABOVE: Mapping[UnitLevel | None, EscalationLevel] = {"community": "street", "street": "district", "district": "city",
                                                     None: "street"}  # fmt: skip
"""督办 goes one level up from the unit: a community station's case to its street, a street's to the district."""
AREA_DIGITS: Mapping[EscalationLevel, int] = {"street": 9, "district": 6}


def _no_limits(category_code: str | None, urgency: Urgency | None) -> StageLimits | None:
    return None


@dataclass(frozen=True)
class ClosureRules:
    """The city's calendar and Closure's settings: when to warn, when to escalate, the default limits."""

    calendar: WorkCalendar
    warn_share: float = DEFAULT_WARN_SHARE
    escalate_after: TimeLimit = DEFAULT_ESCALATE_AFTER
    limits_for: Callable[[str | None, Urgency | None], StageLimits | None] = _no_limits
    """The routing table's limits for a category, for cases whose routing event carries none."""

    def deadline(self, stage: Stage, start: datetime, limit: TimeLimit, due_at: datetime | None = None) -> Deadline:
        """The stage's deadline from `start`; `due_at` when another service already computed it (签收 in Dispatch)."""
        due = due_at or self.calendar.due(start, limit)
        return Deadline(stage=stage, limit=limit, started_at=start, warn_at=self._warn_at(start, due, limit),
                        due_at=due)  # fmt: skip

    def callback_deadline(self, closed_at: datetime) -> Deadline:
        """回访 is due by the end of the next working day after closing."""
        due = self.calendar.end_of_next_working_day(closed_at)
        warn_at = self.calendar.add_working_time(
            closed_at, self.calendar.working_time_between(closed_at, due) * self.warn_share
        )
        return Deadline(stage="callback", limit=None, started_at=closed_at, warn_at=warn_at, due_at=due)

    def reply_deadline(self, start: datetime, due: datetime) -> Deadline:
        """办结回复: a 12345 work order's own due time, set by the hotline; it warns after `warn_share` of the
        clock time from `start` (the first routing) to it, as the hotline counts it in clock time."""
        warn_at = start + (due - start) * self.warn_share if due > start else due
        return Deadline(stage="reply", limit=None, started_at=start, warn_at=warn_at, due_at=due)

    def escalation_due(self, deadline: Deadline) -> datetime:
        return self.calendar.due(deadline.due_at, self.escalate_after)

    def extended(self, deadline: Deadline, days: int) -> Deadline:
        """延期: `days` working days more, from the deadline in force; its warning moves as much."""
        more = TimeLimit(amount=days, unit="working_days")
        due = self.calendar.due(deadline.due_at, more)
        lead = deadline.due_at - deadline.warn_at
        warn_at = self.calendar.due(deadline.warn_at, more) if lead > timedelta(0) else due
        if warn_at >= due:  # both fell outside working time and snapped to one instant: keep the warning's lead
            warn_at = due - lead
        return deadline.model_copy(update={"due_at": due, "warn_at": warn_at})

    def resumed(self, deadline: Deadline, parked_at: datetime, resumed_at: datetime) -> Deadline:
        """The deadline after a park: the time it had left at the park, counted again from the resume.

        An instant already passed at the park (a warning due, a deadline overdue) stays as it was:
        a park stops the clock, it does not forgive lateness.
        """
        if _in_working_time(deadline.limit):
            left = self.calendar.working_time_between(parked_at, deadline.due_at)
            warn_left = self.calendar.working_time_between(parked_at, deadline.warn_at)
        else:
            left, warn_left = deadline.due_at - parked_at, deadline.warn_at - parked_at
        return deadline.model_copy(update={
            "due_at": self._after(deadline, resumed_at, left, deadline.due_at),
            "warn_at": self._after(deadline, resumed_at, warn_left, deadline.warn_at),
        })  # fmt: skip

    def _after(self, deadline: Deadline, start: datetime, amount: timedelta, passed: datetime) -> datetime:
        if amount <= timedelta(0):
            return passed
        return self.calendar.add_working_time(start, amount) if _in_working_time(deadline.limit) else start + amount

    def disposal_limit(
        self, carried: TimeLimit | None, category_code: str | None, urgency: Urgency | None
    ) -> TimeLimit:
        table = self.limits_for(category_code, urgency)
        return carried or (table.disposal if table else None) or DEFAULT_DISPOSAL

    def verification_limit(
        self, carried: TimeLimit | None, category_code: str | None, urgency: Urgency | None
    ) -> TimeLimit:
        table = self.limits_for(category_code, urgency)
        return carried or (table.verification if table else None) or DEFAULT_VERIFICATION

    def _warn_at(self, start: datetime, due: datetime, limit: TimeLimit) -> datetime:
        if _in_working_time(limit):
            used = self.calendar.working_time_between(start, due)
            return self.calendar.add_working_time(start, used * self.warn_share)
        return start + (due - start) * self.warn_share


def _in_working_time(limit: TimeLimit | None) -> bool:
    return limit is None or limit.unit in ("working_hours", "working_days")


def escalation_target(unit_level: UnitLevel | None, area_code: str | None) -> tuple[EscalationLevel, str | None]:
    """The level above the unit and the code of the area there that supervises (None for the city)."""
    level = ABOVE[unit_level]
    digits = AREA_DIGITS.get(level)
    if digits is None or area_code is None or len(area_code) < digits:
        return level, None
    return level, area_code[:digits]


@dataclass(frozen=True)
class TimerChange:
    """What the timers of one stage must become: cancel the old ones, owe the new deadline's (if any)."""

    stage: Stage
    deadline: Deadline | None


def timer_changes(before: Mapping[Stage, Deadline], after: Mapping[Stage, Deadline]) -> list[TimerChange]:
    """The stages whose running deadline appeared, moved, stopped or ended between two states."""
    stages = sorted(set(before) | set(after))
    return [TimerChange(stage, after.get(stage)) for stage in stages if before.get(stage) != after.get(stage)]
