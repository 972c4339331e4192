"""队员考核 for a known month, by hand (the history: tests/analytics/patrol_history.py; docs/assessment.md).

December 2026 has 31 days. Officers are those with a patrol started by the month's end (陈's in November
counts: he is still fixed to G4), each with the grids of their latest patrol:

| officer | grids | found (grid reports) | fixed    | self-disp.  | 12345 in grids | grid-days patrolled   | coverage |
|---------|-------|----------------------|----------|-------------|----------------|-----------------------|----------|
| 张      | G1 G2 | R1 F1 F2 F5 = 4      | F1 F5: 2 | 2/4         | H1: 1          | 9 G1 9 G2 10 G1 10 G2 | 4/62     |
| 刘      | G3 G4 | F3 F4 = 2            | F4: 1    | 1/2         | H2: 1          | 9 G3 (9 G2: not his)  | 1/62     |
| 陈      | G4    | 0                    | 0        | 0/0         | H2: 1          | none in December      | 0/31     |

Brigade B1 (张, 刘): found 6, fixed 3 (3/6), 12345 in G1–G4 once each: H1, H2 = 2, coverage 5/124.
Brigade B2 (陈): 0, 0/0, 1, 0/31. November: 陈 alone, 1/30 (30 Nov in G4).
As of 9 December 12:00, only P0, P1 and R1, F1, F2, H1 were recorded: 张 3 found, 1/3, 1, 2/62;
陈 no 12345 yet; 刘 not known (no patrol yet).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx
import pytest

from cityconfig.city import load_city
from devstack.stack import Stack
from services.analytics.application.context import Analytics
from services.analytics.domain.patrols import Assignment
from services.analytics.main import create_app as analytics_app
from services.analytics.main import spec_for
from services.analytics.settings import AnalyticsSettings
from tests.analytics.conftest import Told
from tests.analytics.history import publish
from tests.analytics.patrol_history import B1, B2, CHEN, G1, G2, G3, G4, LIU, STORIES, UNIT, ZHANG
from tests.casekit.kafka_rig import producer_on
from tests.conftest import eventually, running, service_env

KEYS = ("found", "hotline_complaints", "self_disposal_rate", "coverage")
DECEMBER = {
    ZHANG: ((4, 1), (1, 1), (2, 4), (4, 62)),
    LIU: ((2, 1), (1, 1), (1, 2), (1, 62)),
    CHEN: ((0, 1), (1, 1), (0, 0), (0, 31)),
}
BRIGADES = {B1: ((6, 1), (2, 1), (3, 6), (5, 124)), B2: ((0, 1), (1, 1), (0, 0), (0, 31))}


@pytest.fixture
def analytics(patrols_told: Told) -> httpx.AsyncClient:
    return patrols_told.client


async def assessed(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/assessment/officers", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fractions(rows: list[dict[str, Any]]) -> dict[str, tuple[tuple[int, int], ...]]:
    return {
        r["code"]: tuple((r["figures"][k]["numerator"], r["figures"][k]["denominator"]) for k in KEYS) for r in rows
    }


async def test_a_known_month_per_officer_and_brigade(analytics: httpx.AsyncClient) -> None:
    async def settled() -> dict[str, Any]:
        body = await assessed(analytics, month="2026-12")
        assert fractions(body["officers"]) == DECEMBER
        return body

    body = await eventually(settled, within=60)
    assert fractions(body["brigades"]) == BRIGADES
    assert (body["from"], body["to"]) == ("2026-12-01", "2026-12-31")
    officers = {row["code"]: row for row in body["officers"]}
    assert (officers[ZHANG]["grids"], officers[LIU]["grids"], officers[CHEN]["grids"]) == ([G1, G2], [G3, G4], [G4])
    assert officers[ZHANG]["brigade_code"] == B1
    figures = officers[ZHANG]["figures"]
    assert (figures["self_disposal_rate"]["value"], figures["coverage"]["value"]) == (0.5, 0.0645)
    assert figures["self_disposal_rate"]["label_zh"] == "自处率"
    assert officers[CHEN]["figures"]["self_disposal_rate"]["value"] is None
    brigades = {row["code"]: row for row in body["brigades"]}
    assert brigades[B1]["officers"] == [LIU, ZHANG]
    assert brigades[B1]["name"] == "黄楼街道城管执法中队"

    november = await assessed(analytics, month="2026-11")
    assert fractions(november["officers"]) == {CHEN: ((0, 1), (0, 1), (0, 0), (1, 30))}

    before = await assessed(analytics, month="2026-12", as_of="2026-12-09T12:00:00+08:00")
    assert fractions(before["officers"]) == {
        ZHANG: ((3, 1), (1, 1), (1, 3), (2, 62)),
        CHEN: ((0, 1), (0, 1), (0, 0), (0, 31)),  # H2 came on the 12th
    }


async def test_a_month_is_yyyy_mm(analytics: httpx.AsyncClient) -> None:
    for month in ("2026-13", "2026-1", "december"):
        response = await analytics.get("/v1/assessment/officers", params={"month": month})
        assert response.status_code == 422, (month, response.text)


@dataclass(frozen=True)
class Roster:
    """A duty roster as the city's assignments would give it (application/context.py DutyRoster)."""

    officers: tuple[Assignment, ...]

    def assignments(self, first: date, last: date) -> list[Assignment]:
        return list(self.officers)


SUN = "officer-sun"
ROSTER = Roster(
    (Assignment(ZHANG, UNIT, B1, frozenset({G1, G2})), Assignment(SUN, UNIT, B1, frozenset({G4}), "孙志强"))
)


async def test_a_duty_roster_names_the_officers_even_one_who_never_patrolled(
    stack: Stack, database: str, topics_for: str
) -> None:
    """孙 is fixed to G4 and never patrolled: listed, coverage 0/31; 刘 and 陈 are not on the roster.
    B1 is then 张 and 孙: found 4, fixed 2, 12345 in G1, G2, G4: H1 and H2, coverage 4/(62 + 31)."""
    async with producer_on(stack.kafka_admin) as producer:
        await publish(producer, topics_for, list(STORIES.values()))
    settings = AnalyticsSettings(**service_env(stack, database, topics_for, "analytics"))
    city = load_city(settings.city_config)
    spec = replace(spec_for(settings, city), context=lambda runtime: Analytics(runtime.pool, city, duty=ROSTER))
    async with running(analytics_app(settings, spec)) as client:

        async def settled() -> dict[str, Any]:
            body = await assessed(client, month="2026-12")
            assert fractions(body["officers"]) == {
                ZHANG: DECEMBER[ZHANG], SUN: ((0, 1), (1, 1), (0, 0), (0, 31))
            }  # fmt: skip
            return body

        body = await eventually(settled, within=60)
    assert fractions(body["brigades"]) == {B1: ((4, 1), (2, 1), (2, 4), (4, 93))}
    assert [row["grids"] for row in body["officers"]] == [[G4], [G1, G2]]
    assert [row["name"] for row in body["officers"]] == ["孙志强", ZHANG]  # 张's roster entry names no one
