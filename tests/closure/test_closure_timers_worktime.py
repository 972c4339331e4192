"""Disposal deadlines in working time, as the timers owe them: over a weekend, and across the 2025
National Day holiday with its make-up working days (Sunday 28 September, Saturday 11 October)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from schemas.closure import ClosureOpened
from schemas.dispatch import StageLimits, TimeLimit
from tests.closure.timer_rig import Rig, rig, timer_city

__all__ = ["rig", "timer_city"]  # fixtures
CST = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.mark.parametrize(
    ("routed_at", "limit", "warn_at", "due_at"),
    [
        # Friday 16:00 + 4 working hours: 1.5 h on Friday, 2.5 h on Monday (08:30–11:00); warned after 3.2 h.
        ("2025-09-19 16:00", TimeLimit(amount=4, unit="working_hours"), "2025-09-22 10:12", "2025-09-22 11:00"),
        # Friday 26 September + 1 working day: the make-up Sunday 28 September, not Monday.
        ("2025-09-26 16:00", TimeLimit(amount=1, unit="working_days"), "2025-09-28 14:30", "2025-09-28 16:00"),
        # Tuesday 30 September + 3 working days: over 1–8 October, to 9, 10 and the make-up Saturday 11 October.
        ("2025-09-30 16:00", TimeLimit(amount=3, unit="working_days"), "2025-10-11 10:00", "2025-10-11 16:00"),
    ],
)
async def test_the_disposal_timers_fall_in_working_time(
    rig: Rig, routed_at: str, limit: TimeLimit, warn_at: str, due_at: str
) -> None:
    case_id = await rig.route(local(routed_at), StageLimits(disposal=limit))
    [opened] = await rig.events(case_id)
    assert isinstance(opened, ClosureOpened)
    [disposal] = opened.deadlines
    assert (disposal.warn_at, disposal.due_at) == (local(warn_at), local(due_at))
    assert disposal.due_at.astimezone(CST).strftime("%A") == {"2025-09-22": "Monday", "2025-09-28": "Sunday",
                                                              "2025-10-11": "Saturday"}[due_at[:10]]  # fmt: skip
    due = local(due_at)
    assert await rig.timers(case_id) == [("warn", "pending", due, local(warn_at)), ("overdue", "pending", due, due)]
