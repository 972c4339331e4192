"""Closure's timers on real PostgreSQL: 预警, 超期 and 督办 each appended once, and timers that follow
the deadline when it is met, extended, parked and resumed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from casekit import jobs
from casekit.envelope import utc_now
from casekit.jobs import LeaseLost
from schemas.closure import CaseEscalated, DeadlineOverdue, DeadlineWarned
from schemas.dispatch import ExtensionApproved, ParkApproved, TimeLimit
from services.closure.adapters.timers import fire
from services.closure.application import reactions, timers
from services.closure.domain.closure import Act
from services.closure.domain.lifecycle import Disposal, decide_dispose
from services.closure.domain.side_paths import decide_resume
from tests.closure.timer_rig import UNIT, Rig, instance, rig, timer_city
from tests.conftest import eventually
from tests.dispatch.city_fixture import STREET

__all__ = ["rig", "timer_city"]  # fixtures
HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)


async def count_is(rig: Rig, case_id: UUID, kind: str, expected: int) -> None:
    async def check() -> None:
        assert (await rig.counts(case_id))[kind] == expected

    await eventually(check)


async def none_pending(rig: Rig) -> None:
    async def check() -> None:
        assert (await rig.states())["pending"] + (await rig.states())["running"] == 0

    await eventually(check)


async def done_is(rig: Rig, expected: int) -> None:
    async def check() -> None:
        assert (await rig.states())["done"] == expected

    await eventually(check)


async def fire_by_hand(rig: Rig, case_id: UUID, kind: timers.TimerKind, due_at: datetime) -> None:
    """A timer that outlived its deadline (a duplicate, a late one): owed again without a key."""
    async with rig.pool.acquire() as conn:
        await jobs.enqueue(
            conn, timers.QUEUE, timers.payload(kind, case_id, "disposal", due_at), correlation_id=case_id
        )


async def test_warn_then_overdue_then_escalation_each_appended_once(rig: Rig) -> None:
    at = utc_now()
    case_id = await rig.route(at)
    due = at + 60 * MINUTE
    assert await rig.timers(case_id) == [("warn", "pending", due, at + 48 * MINUTE), ("overdue", "pending", due, due)]

    async with instance(rig):
        assert await rig.due_now("warn", case_id) == 1
        await count_is(rig, case_id, "DeadlineWarned", 1)
        assert await rig.timers(case_id, "pending") == [("overdue", "pending", due, due)]  # no escalation yet

        assert await rig.due_now("overdue", case_id) == 1
        await count_is(rig, case_id, "DeadlineOverdue", 1)
        assert await rig.timers(case_id, "pending") == [("escalate", "pending", due, due + 30 * MINUTE)]

        assert await rig.due_now("escalate", case_id) == 1
        await count_is(rig, case_id, "CaseEscalated", 1)
        for kind in ("warn", "overdue", "escalate"):  # each again: the case has had it, nothing more
            await fire_by_hand(rig, case_id, kind, due)
        await none_pending(rig)

    assert await rig.counts(case_id) == {"ClosureOpened": 1, "DeadlineWarned": 1, "DeadlineOverdue": 1,
                                         "CaseEscalated": 1}  # fmt: skip
    events = await rig.events(case_id)
    [warned] = [e for e in events if isinstance(e, DeadlineWarned)]
    [overdue] = [e for e in events if isinstance(e, DeadlineOverdue)]
    [escalated] = [e for e in events if isinstance(e, CaseEscalated)]
    assert (warned.stage, warned.due_at, warned.unit_code) == ("disposal", due, UNIT)
    assert (overdue.stage, overdue.due_at) == ("disposal", due)
    assert (escalated.to_level, escalated.to_area_code, escalated.due_at) == ("street", STREET, due)
    row = await rig.closure.cases.get(rig.pool, case_id)  # type: ignore[arg-type]
    assert row is not None
    assert (row.overdue, row.escalated) == (["disposal"], ["disposal"])


async def test_a_deadline_met_before_its_warning_fires_nothing(rig: Rig) -> None:
    at = utc_now()
    case_id = await rig.route(at)
    due = at + 60 * MINUTE
    act = Act(case_id, "staff-1", at + 10 * MINUTE, unit=UNIT)
    report = Disposal("service", "清理完毕")
    await rig.decide(case_id, lambda s: decide_dispose(s, act, report, rig.closure.rules), "staff-1")

    disposal = [t for t in await rig.timers(case_id) if t[2] == due]
    assert disposal == [("warn", "cancelled", due, at + 48 * MINUTE), ("overdue", "cancelled", due, due)]
    assert {t[0] for t in await rig.timers(case_id, "pending")} == {"warn", "overdue"}  # verification's own
    async with instance(rig):
        assert await rig.due_now("warn", case_id) == 0
        assert await rig.due_now("overdue", case_id) == 0
        for kind in ("warn", "overdue", "escalate"):  # had any outlived the disposal, it would decide nothing
            await fire_by_hand(rig, case_id, kind, due)

        await done_is(rig, 3)
    assert await rig.counts(case_id) == {"ClosureOpened": 1, "DisposalReported": 1}


async def test_an_extension_moves_the_disposal_timers(rig: Rig) -> None:
    at = utc_now()
    case_id = await rig.route(at)
    due = at + 60 * MINUTE
    extension = ExtensionApproved(case_id=case_id, unit_code=UNIT, days=2, decided_by="dispatcher-1", decided_at=at)
    await rig.react(reactions.on_extension_approved, extension)

    new = rig.closure.rules.extended(
        rig.closure.rules.deadline("disposal", at, TimeLimit(amount=60, unit="minutes")), 2
    )
    assert new.due_at > due + 24 * HOUR
    assert due < new.warn_at < new.due_at
    assert await rig.timers(case_id) == [
        ("warn", "cancelled", due, at + 48 * MINUTE), ("overdue", "cancelled", due, due),
        ("warn", "pending", new.due_at, new.warn_at), ("overdue", "pending", new.due_at, new.due_at),
    ]  # fmt: skip
    async with instance(rig):
        await fire_by_hand(rig, case_id, "overdue", due)  # the old deadline's timer, had it been left: nothing
        await done_is(rig, 1)
        assert await rig.due_now("overdue", case_id) == 1
        await count_is(rig, case_id, "DeadlineOverdue", 1)
    overdue = [e for e in await rig.events(case_id) if isinstance(e, DeadlineOverdue)]
    assert [e.due_at for e in overdue] == [new.due_at]


async def test_a_park_cancels_the_timers_and_the_resume_owes_them_at_the_shifted_deadline(rig: Rig) -> None:
    at = utc_now() - 10 * MINUTE
    case_id = await rig.route(at)
    due, parked_at = at + 60 * MINUTE, utc_now()
    park = ParkApproved(
        case_id=case_id, unit_code=UNIT, reason="施工占道", decided_by="dispatcher-1", decided_at=parked_at
    )
    await rig.react(reactions.on_park_approved, park)
    assert {t[1] for t in await rig.timers(case_id)} == {"cancelled"}

    resumed_at = parked_at + 2 * HOUR
    act = Act(case_id, "dispatcher-1", resumed_at, note="施工结束")
    await rig.decide(case_id, lambda s: decide_resume(s, act, rig.closure.rules), "dispatcher-1")
    shifted = due + (resumed_at - parked_at)
    warn = at + 48 * MINUTE + (resumed_at - parked_at)
    assert await rig.timers(case_id, "pending") == [("warn", "pending", shifted, warn),
                                                    ("overdue", "pending", shifted, shifted)]  # fmt: skip
    async with instance(rig):
        assert await rig.due_now("warn", case_id) == 1
        await count_is(rig, case_id, "DeadlineWarned", 1)
    [warned] = [e for e in await rig.events(case_id) if isinstance(e, DeadlineWarned)]
    assert warned.due_at == shifted


async def test_a_case_parked_while_overdue_is_still_escalated_after_its_resume(rig: Rig) -> None:
    at = utc_now()
    case_id = await rig.route(at)
    async with instance(rig):
        await rig.due_now("overdue", case_id)
        await count_is(rig, case_id, "DeadlineOverdue", 1)
    park = ParkApproved(case_id=case_id, unit_code=UNIT, reason="施工占道", decided_by="dispatcher-1", decided_at=at)
    await rig.react(reactions.on_park_approved, park)
    assert await rig.timers(case_id, "pending") == []
    resumed_at = utc_now()
    act = Act(case_id, "dispatcher-1", resumed_at, note="施工结束")
    await rig.decide(case_id, lambda s: decide_resume(s, act, rig.closure.rules), "dispatcher-1")
    shifted = at + 60 * MINUTE + (resumed_at - at)
    # Still overdue: no warning and no second overdue mark, only the 督办 still to come.
    assert await rig.timers(case_id, "pending") == [("escalate", "pending", shifted, shifted + 30 * MINUTE)]
    async with instance(rig):
        await rig.due_now("escalate", case_id)
        await count_is(rig, case_id, "CaseEscalated", 1)
    counts = await rig.counts(case_id)
    assert (counts["DeadlineWarned"], counts["DeadlineOverdue"], counts["CaseEscalated"]) == (0, 1, 1)


async def test_a_timer_whose_job_is_no_longer_its_own_writes_nothing(rig: Rig) -> None:
    """The one-statement write (closure_timer_fired) appends only while the worker holds the lease."""
    case_id = await rig.route()
    before = await rig.closure.cases.get(rig.pool, case_id)  # type: ignore[arg-type]
    await rig.due_now("warn", case_id)
    async with rig.pool.acquire() as conn:
        [job] = await jobs.claim(conn, timers.QUEUE, 1, timedelta(seconds=30))
        await jobs.cancel(conn, timers.QUEUE, key=job.key)  # a park, say, while the timer was in flight
        with pytest.raises(LeaseLost):
            await fire(job, rig.closure, conn)
    assert await rig.counts(case_id) == {"ClosureOpened": 1}
    assert await rig.closure.cases.get(rig.pool, case_id) == before  # type: ignore[arg-type]
    [attempt] = (await jobs.find_jobs(rig.pool, timers.QUEUE, key=job.key))[0].attempts  # type: ignore[arg-type]
    assert attempt.outcome is None  # not recorded as done: the statement rolled back whole
