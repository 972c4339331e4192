"""Dispatch's Assignment aggregate and its first routing rule."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from casekit.errors import RuleViolation
from services.dispatch.domain.assignment import DECIDER, RouteCase, decide_route

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("category", "unit"),
    [
        ("01002", "municipal-works"),  # 污水井盖
        ("04002", "landscaping"),  # 行道树
        ("06010", "sanitation"),  # 暴露垃圾
        ("09001", "enforcement-brigade"),  # 无照经营游商
        ("10001", "enforcement-brigade"),  # 其他事项: no trade owns it
    ],
)
def test_a_new_case_is_routed_to_the_unit_of_its_category(category: str, unit: str) -> None:
    [event] = decide_route(DECIDER.initial, RouteCase(case_id=uuid4(), category_code=category, at=AT))

    assert event.unit_code == unit
    assert event.rule == "category-class"
    assert event.routed_at == AT


def test_a_routed_case_is_not_routed_again() -> None:
    cmd = RouteCase(case_id=uuid4(), category_code="01002", at=AT)
    state = DECIDER.fold(decide_route(DECIDER.initial, cmd))

    with pytest.raises(RuleViolation, match="already routed to municipal-works"):
        decide_route(state, cmd)
