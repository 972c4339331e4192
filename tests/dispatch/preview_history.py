"""A known history for the routing preview: 14 cases of the routing city, and a candidate table.

In the period: 4 × 01003 雨水井盖 (municipal), 4 × 06010 暴露垃圾 (sanitation), 3 × 02001 停车场
(enforcement) decided by the rules, 1 × 02001 reassigned by a dispatcher, 1 awaiting confirmation.
Before it: one more 06010. Two districts: 鼓楼 (320302, every trade) and 云龙 (320303, no
enforcement, no water). The 01003 case in 云龙 was returned by its municipal unit and, with no
other municipal unit there, became unroutable.

The candidate moves class 06 from sanitation at the community level to the street squads
(enforcement at the street level): the three 06010 cases in 黄楼街道 go to its squad, the one in
云龙's 彭城街道, which has none, becomes unroutable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from schemas.base import Event
from schemas.dispatch import (
    AssignmentOpened,
    CaseReturned,
    CaseRouted,
    CaseUnroutable,
    ConfirmationRequested,
    TimeLimit,
)
from schemas.intake import Place
from services.dispatch.domain.assignment_rules import Rules
from tests.dispatch.city_fixture import GRID, OTHER_COMMUNITY, OTHER_DISTRICT_GRID, ROUTING

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
ELSEWHERE = OTHER_COMMUNITY + "001"

CANDIDATE_ROUTING = (
    ROUTING.replace('categories: ["03", "06"]', 'categories: ["03"]')
    + """
  - id: nuisance-squads
    description: 市容环境 (执法中队试点)
    categories: ["06"]
    lead: enforcement
    level: street
"""
)


def place(grid: str) -> Place:
    return Place(district_code=grid[:6], street_code=grid[:9], community_code=grid[:12], grid_code=grid)


@dataclass(frozen=True)
class Recorded:
    """One case's stream as Dispatch would have written it."""

    case_id: UUID
    number: str
    events: list[Event]


def history(rules: Rules) -> list[Recorded]:
    """The cases in the order they were opened, each with its events."""
    cases: list[Recorded] = []

    def opened(category: str, grid: str, day: int, channel: str = "grid") -> AssignmentOpened:
        at = START + timedelta(days=day, hours=1)
        number = f"GR-202611{day + 1:02d}-{len(cases) + 1:06d}"
        return AssignmentOpened(
            case_id=uuid4(), case_number=number, channel=channel, category_code=category,
            urgency="normal", place=place(grid), received_at=at, opened_at=at,
        )  # fmt: skip

    def by_rules(category: str, grid: str, day: int) -> None:
        case = opened(category, grid, day)
        cases.append(
            Recorded(case.case_id, case.case_number or "", [case, rules.route(case, case.opened_at, "routing")])
        )

    for day, grid in enumerate((GRID, GRID, ELSEWHERE)):
        by_rules("01003", grid, day)
    returned = opened("01003", OTHER_DISTRICT_GRID, 3)
    first = rules.route(returned, returned.opened_at, "routing")
    assert isinstance(first, CaseRouted)
    assert first.unit_code == "dt-320303-municipal"
    back = CaseReturned(
        case_id=returned.case_id, unit_code=first.unit_code, reason="not_our_trade", returns=1,
        returned_by="user:unit-staff", returned_at=returned.opened_at + timedelta(hours=1),
    )  # fmt: skip
    again = rules.route(returned, back.returned_at, "reroute", exclude=[first.unit_code])
    assert isinstance(again, CaseUnroutable)
    cases.append(Recorded(returned.case_id, returned.case_number or "", [returned, first, back, again]))
    for day, grid in enumerate((GRID, GRID, ELSEWHERE, OTHER_DISTRICT_GRID), start=4):
        by_rules("06010", grid, day)
    for day, grid in enumerate((GRID, GRID, OTHER_DISTRICT_GRID), start=8):
        by_rules("02001", grid, day)
    manual = opened("02001", GRID, 11)
    routed = rules.route(manual, manual.opened_at, "routing")
    assert isinstance(routed, CaseRouted)
    reassigned = routed.model_copy(update={
        "unit_code": "st-320302002-enforcement", "unit_name": "丰财街道城管执法中队", "kind": "reassignment",
        "routed_by": "user:dispatcher", "rule": "dispatcher:reassignment",
    })  # fmt: skip
    cases.append(Recorded(manual.case_id, manual.case_number or "", [manual, routed, reassigned]))
    waiting = opened("06010", GRID, 12, channel="hotline")
    limit = TimeLimit(amount=1, unit="hours")
    due = waiting.opened_at + timedelta(hours=1)
    asked = ConfirmationRequested(
        case_id=waiting.case_id, area_code=GRID, limit=limit, due_at=due, requested_at=waiting.opened_at
    )
    cases.append(Recorded(waiting.case_id, waiting.case_number or "", [waiting, asked]))
    before = opened("06010", GRID, -3)
    early = rules.route(before, before.opened_at, "routing")
    cases.insert(0, Recorded(before.case_id, before.case_number or "", [before, early]))
    return cases
