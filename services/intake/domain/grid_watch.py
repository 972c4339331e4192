"""The GridWatch aggregate (巡查督导): one watched grid, flagged when no patrol visited it in its required interval.

A watch is due at the grid's last patrol visit (or when the watch began) plus the interval the
duty assignments require. A check at the due time finds either a visit since (nothing to say:
the next check is a visit plus an interval), or none: the grid is flagged, once per due time,
and checked again an interval later (past now, so a long outage flags once, not once per
missed interval).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from casekit.decider import Decider
from schemas.patrol import GridPatrolOverdue

NAMESPACE = uuid5(NAMESPACE_URL, "urn:casekit:intake:grid-watch")


@dataclass(frozen=True)
class GridWatch:
    flagged: frozenset[datetime] = frozenset()
    """The due times already flagged."""


@dataclass(frozen=True)
class Check:
    """A watch's check at `due_at`, with what the patrols say now."""

    grid_code: str
    due_at: datetime
    every: timedelta
    last_patrolled_at: datetime | None
    watched_since: datetime
    at: datetime


def watch_id(grid_code: str) -> UUID:
    return uuid5(NAMESPACE, grid_code)


def stream_id(grid_code: str) -> str:
    return f"grid-watch-{grid_code}"


def due_after(last_patrolled_at: datetime | None, watched_since: datetime, every: timedelta) -> datetime:
    """When a patrol is due at the latest: an interval after the last visit (or the watch's start)."""
    return (last_patrolled_at or watched_since) + every


def overdue(check: Check) -> bool:
    """No patrol visited the grid within the interval before the check's due time."""
    return due_after(check.last_patrolled_at, check.watched_since, check.every) <= check.due_at


def decide_check(state: GridWatch, check: Check) -> list[GridPatrolOverdue]:
    if not overdue(check) or check.due_at in state.flagged:
        return []
    return [
        GridPatrolOverdue(
            case_id=watch_id(check.grid_code), grid_code=check.grid_code, last_patrolled_at=check.last_patrolled_at,
            due_at=check.due_at, flagged_at=check.at,
        )
    ]  # fmt: skip


def next_check(check: Check) -> datetime:
    """The next check: a visit plus an interval if there was one since; else an interval on, past now."""
    if not overdue(check):
        return due_after(check.last_patrolled_at, check.watched_since, check.every)
    due = check.due_at + check.every
    while due <= check.at:
        due += check.every
    return due


def evolve(state: GridWatch, event: GridPatrolOverdue) -> GridWatch:
    return replace(state, flagged=state.flagged | {event.due_at})


DECIDER: Decider[GridWatch, GridPatrolOverdue] = Decider(
    initial=GridWatch(), evolve=evolve, events=(GridPatrolOverdue,)
)
