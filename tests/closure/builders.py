"""Builders for Closure's pure tests: the demo city's rules, a routed case, and the case at each step.

Instants are the demo city's local time (Asia/Shanghai). `on_routed` and `on_self_disposal` are the only
calls of `decide_routed` and `decide_self_disposal` in these tests, so a change of their signatures is made here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

from cityconfig import load_city
from schemas.base import Event
from schemas.closure import (
    CallbackResult,
    Deadline,
    DisposalMethod,
)
from schemas.dispatch import (
    CaseRouted,
    RouteKind,
    SelfDisposalRecorded,
    StageLimits,
    TimeLimit,
    UnitLevel,
)
from schemas.examples_dispatch import REASON
from services.closure.domain import lifecycle as lc
from services.closure.domain import side_paths as sp
from services.closure.domain.closure import DECIDER, Act, CaseClosure
from services.closure.domain.deadlines import ClosureRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = ClosureRules(load_city(Path("cities/xuzhou-demo")).calendar)
CASE = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
GRID = "320303001001001"
UNIT = "cm-320303001001-sanitation"
OTHER_UNIT = "st-320303001-sanitation"
STAFF = "user:staff-zhao"
GRID_MEMBER = "user:grid-li"
LIMITS = StageLimits(
    sign_for=TimeLimit(amount=30, unit="minutes"),
    disposal=TimeLimit(amount=2, unit="working_days"),
    verification=TimeLimit(amount=2, unit="working_hours"),
)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


ROUTED_AT = local(2026, 11, 10, 9)  # Tuesday
DISPOSED_AT = local(2026, 11, 11, 10)  # Wednesday
VERIFIED_AT = local(2026, 11, 11, 11, 30)


def after(events: Sequence[Event], state: CaseClosure = DECIDER.initial) -> CaseClosure:
    return functools.reduce(DECIDER.evolve, events, state)


def act(by: str = STAFF, at: datetime = DISPOSED_AT, unit: str | None = UNIT, note: str | None = None) -> Act:
    return Act(CASE, by, at, unit, note)


def routed(unit: str = UNIT, kind: RouteKind = "routing", at: datetime = ROUTED_AT,
           level: UnitLevel = "community", limits: StageLimits | None = LIMITS) -> CaseRouted:  # fmt: skip
    sign_for_due_at = at + timedelta(minutes=30) if limits is not None else None
    return CaseRouted(case_id=CASE, unit_code=unit, unit_name=f"{unit} 名称", category_code="06010", rule="sanitation",
                      routed_at=at, kind=kind, reason=REASON.model_copy(update={"level": level}), limits=limits,
                      urgency="normal", sign_for_due_at=sign_for_due_at)  # fmt: skip


def on_routed(state: CaseClosure, event: CaseRouted, work_order_no: str | None = None) -> list[Event]:
    """The one place that calls `decide_routed`, so a change of its signature is a change here."""
    return sp.decide_routed(state, event, RULES, None, work_order_no)


def on_self_disposal(state: CaseClosure, event: SelfDisposalRecorded) -> list[Event]:
    return sp.decide_self_disposal(state, event, RULES)


def opened() -> CaseClosure:
    return after(on_routed(DECIDER.initial, routed()))


def disposed(state: CaseClosure | None = None, at: datetime = DISPOSED_AT,
             method: DisposalMethod = "service") -> CaseClosure:  # fmt: skip
    state = state or opened()
    return after(lc.decide_dispose(state, act(at=at), lc.Disposal(method, "已清运"), RULES), state)


def closed(state: CaseClosure | None = None, at: datetime = VERIFIED_AT) -> CaseClosure:
    state = state or disposed()
    return after(lc.decide_verify(state, act(GRID_MEMBER, at, None), lc.Verification(True), RULES), state)


def deadline(state: CaseClosure, stage: str) -> Deadline:
    found = next((d for d in state.deadlines if d.stage == stage), None)
    assert found is not None, f"no {stage} deadline in {state.deadlines}"
    return found


def self_disposal(unit: str | None = UNIT) -> SelfDisposalRecorded:
    return SelfDisposalRecorded(case_id=CASE, area_code=GRID, photo_url="https://x/fixed.jpg", recorded_at=ROUTED_AT,
                                disposed_by=GRID_MEMBER, category_code="06010", unit_code=unit)  # fmt: skip


CALLED_AT = local(2026, 11, 12, 10)


def callback(
    state: CaseClosure, result: CallbackResult, at: datetime = CALLED_AT, ref: str | None = None
) -> list[Event]:
    called = lc.Callback(result, "hotline", ref) if ref else lc.Callback(result)
    return lc.decide_callback(state, act("user:callback-sun", at, None), called, RULES)


def in_review() -> CaseClosure:
    state = closed()
    state = after(callback(state, "unsatisfied"), state)
    state = closed(disposed(state, local(2026, 11, 13, 9)), local(2026, 11, 13, 10))
    return after(callback(state, "unsatisfied", local(2026, 11, 16, 9)), state)
