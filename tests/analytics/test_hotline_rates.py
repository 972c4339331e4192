"""接诉即办's three rates (响应率, 解决率, 满意率) and the on-time reply rate for a simulated month of 12345
work orders, against values worked out by hand (docs/assessment.md).

December 2026, two units, eight work orders, each due to reply by Wednesday 9 December 17:00
(the hotline's clock) and to be disposed of by Thursday 10 December 17:00 (ours):

| order | unit | signed for | replied  | call-back                     |
|-------|------|------------|----------|-------------------------------|
| W1    | U1   | on time    | on time  | satisfied, solved             |
| W2    | U1   | on time    | late     | understanding, partly solved  |
| W3    | U1   | late       | on time  | unsatisfied, unsolved (urged twice) |
| W4    | U1   | on time    | never    | none                          |
| W5    | U2   | on time    | on time  | not connected                 |
| W6    | U2   | late       | late     | very satisfied, solved        |
| W7    | U2   | on time    | on time  | satisfied, solved             |
| W8    | U2   | never      | never    | voided: not due               |
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devstack.stack import Stack
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from tests.analytics.history import DUE, U1, U2, Story, local, publish
from tests.analytics.test_assessment import assessed, fractions
from tests.casekit.kafka_rig import producer_on
from tests.conftest import eventually, running, service_env

REPLY_DUE = local(9, 17)
RATES = ("hotline_response_rate", "hotline_resolution_rate", "hotline_satisfaction_rate", "hotline_on_time_reply_rate",
         "hotline_urge_rate")  # fmt: skip


def work_order(number: int, unit: str, *, signed_late: bool | None) -> Story:
    story = Story(100 + number, channel="hotline").reported(local(7)).work_order(local(7), REPLY_DUE)
    story.routed(local(7, 10), unit).opened(local(7, 10), unit, DUE)
    if signed_late is not None:
        story.signed(local(7, 13 if signed_late else 11), unit, late=signed_late)
    return story


def month() -> list[Story]:
    w1 = work_order(1, U1, signed_late=False).disposed(local(8)).replied(local(8, 10))
    w1.verified(local(8, 11)).closed(local(8, 12)).called_back(local(9), "satisfied", solved="solved")
    w2 = work_order(2, U1, signed_late=False).disposed(local(9)).replied(local(10), "partly_solved", late=True)
    w2.called_back(local(11), "basically_satisfied", solved="partly_solved")
    w3 = work_order(3, U1, signed_late=True).urged(local(8), "CB-1").urged(local(9), "CB-2").disposed(local(9))
    w3.replied(local(9, 11), "unsolved").called_back(local(10), "unsatisfied", solved="unsolved")
    w4 = work_order(4, U1, signed_late=False)
    w5 = work_order(5, U2, signed_late=False).disposed(local(8)).replied(local(8, 10))
    w5.called_back(local(9), "unreachable")
    w6 = work_order(6, U2, signed_late=True).disposed(local(10)).replied(local(10, 10), late=True)
    w6.called_back(local(11), "satisfied", solved="solved")
    w7 = work_order(7, U2, signed_late=False).disposed(local(8)).replied(local(8, 15))
    w7.called_back(local(9), "satisfied", solved="solved")
    w8 = work_order(8, U2, signed_late=None).voided_in_closure(local(8))
    return [w1, w2, w3, w4, w5, w6, w7, w8]


STORIES = month()


@pytest.fixture
async def analytics(stack: Stack, database: str, topics_for: str) -> AsyncIterator[httpx.AsyncClient]:
    async with producer_on(stack.kafka_admin) as producer:
        await publish(producer, topics_for, STORIES)
    settings = AnalyticsSettings(**service_env(stack, database, topics_for, "analytics"))
    async with running(analytics_app(settings)) as client:
        yield client


def rates(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {name: value for name, value in fractions(row).items() if name in RATES}


async def test_the_three_rates_of_a_month_are_the_hand_computed_ones(analytics: httpx.AsyncClient) -> None:
    async def by_unit() -> dict[str, dict[str, tuple[int, int]]]:
        body = await assessed(analytics, level="unit")
        found = {row["code"]: rates(row) for row in body["rows"]}
        assert found == {
            # 响应率 3 of 4 signed on time; 解决率 1 solved of 3 asked; 满意率 2 of 3 reached; reply 2 of 4 on time;
            # 催办率 W3 (urged twice) of 4
            U1: {"hotline_response_rate": (3, 4), "hotline_resolution_rate": (1, 3),
                 "hotline_satisfaction_rate": (2, 3), "hotline_on_time_reply_rate": (2, 4),
                 "hotline_urge_rate": (1, 4)},
            # W8 voided is not due; W5 never reached the resident, so it answers neither 解决 nor 满意
            U2: {"hotline_response_rate": (2, 3), "hotline_resolution_rate": (2, 2),
                 "hotline_satisfaction_rate": (2, 2), "hotline_on_time_reply_rate": (2, 3),
                 "hotline_urge_rate": (0, 3)},
        }  # fmt: skip
        return found

    await eventually(by_unit, within=60)
    city = (await assessed(analytics, level="city"))["rows"]
    assert [rates(row) for row in city] == [
        {"hotline_response_rate": (5, 7), "hotline_resolution_rate": (3, 5), "hotline_satisfaction_rate": (4, 5),
         "hotline_on_time_reply_rate": (4, 7), "hotline_urge_rate": (1, 7)}
    ]  # fmt: skip
    assert city[0]["figures"]["hotline_response_rate"]["value"] == pytest.approx(0.7143, abs=1e-4)


async def test_urges_and_the_reply_are_in_the_case_facts(analytics: httpx.AsyncClient) -> None:
    w3 = STORIES[2]

    async def facts() -> None:
        reply = await analytics.get(f"/v1/cases/{w3.case_id}/trace")
        assert reply.status_code == 200
        types = [event["type"] for event in reply.json()["events"]]
        assert types.count("closure.CaseUrged") == 2
        assert "closure.CaseReplied" in types

    await eventually(facts, within=60)
