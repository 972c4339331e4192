"""考核 from a known history: every figure of two units against values computed by hand, and as of an
instant before a later correction (docs/assessment.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from casekit.projection_rebuild import rebuild
from devstack.stack import Stack
from services.analytics.adapters.projections import PROJECTIONS
from tests.analytics.conftest import Told
from tests.analytics.history import CORRECTED, U1, U2, local
from tests.analytics.test_rebuild import every_row
from tests.conftest import eventually


async def assessed(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/assessment", params={"from": "2026-12-01", "to": "2026-12-31", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fractions(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {key: (f["numerator"], f["denominator"]) for key, f in row["figures"].items()}


async def every_figure(analytics: httpx.AsyncClient) -> None:
    body = await assessed(analytics)
    rows = {row["code"]: row for row in body["rows"]}
    assert set(rows) == {U1, U2}
    assert fractions(rows[U1]) == {
        "due": (4, 4),
        "close_rate": (4, 4),
        "on_time_close_rate": (3, 4),  # C closed late
        "on_time_disposal_rate": (2, 3),  # G was fixed on the spot; C's disposal was late; B's first was on time
        "rework_rate": (1, 4),
        "self_disposal_rate": (1, 4),
        "valid_report_rate": (4, 4),
        "on_time_confirmation_rate": (1, 1),
        "on_time_verification_rate": (2, 3),  # C verified late
        "hotline_response_rate": (1, 1),
        "hotline_resolution_rate": (1, 1),
        "hotline_satisfaction_rate": (1, 1),
        "hotline_on_time_reply_rate": (0, 0),  # the history's hotline cases predate work orders' reply clock
        "hotline_urge_rate": (0, 1),
    }
    assert fractions(rows[U2]) == {
        "due": (2, 2),  # E was voided
        "close_rate": (0, 2),  # F was reopened
        "on_time_close_rate": (0, 2),
        "on_time_disposal_rate": (1, 2),
        "rework_rate": (0, 2),
        "self_disposal_rate": (0, 3),
        "valid_report_rate": (2, 3),
        "on_time_confirmation_rate": (0, 0),
        "on_time_verification_rate": (1, 1),
        "hotline_response_rate": (0, 1),  # F signed for late
        "hotline_resolution_rate": (0, 1),
        "hotline_satisfaction_rate": (0, 1),
        "hotline_on_time_reply_rate": (0, 0),
        "hotline_urge_rate": (0, 1),
    }
    assert rows[U1]["figures"]["on_time_disposal_rate"]["value"] == 0.6667
    assert rows[U2]["figures"]["on_time_confirmation_rate"]["value"] is None
    # 100 × (0.1 × 4/4 + 0.3 × 1 + 0.3 × 0.6667 + 0.3 × 0.75) and 100 × (0.1 × 2/4 + 0 + 0.3 × 0.5 + 0.3 × 1)
    assert (rows[U1]["score"], rows[U1]["grade"], rows[U1]["rank"]) == (82.5, "B", 1)
    assert (rows[U2]["score"], rows[U2]["grade"], rows[U2]["rank"]) == (50.0, "D", 2)
    assert rows[U1]["disposal_methods"] == {"service": 2, "management": 0, "enforcement": 1}
    assert rows[U1]["average_hours"]["sign_for"] == pytest.approx((1 + 2 + 1) / 3, abs=0.01)


async def settled(analytics: httpx.AsyncClient) -> None:
    """Every event of the history projected (each topic is read at its own pace)."""
    await eventually(lambda: every_figure(analytics), within=60)


async def test_every_figure_of_two_units_is_the_hand_computed_one(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)


async def test_as_of_reproduces_the_figures_published_before_a_correction(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    published = await assessed(analytics, as_of=(CORRECTED - timedelta(days=2)).isoformat())
    rows = {row["code"]: row for row in published["rows"]}
    assert fractions(rows[U2])["close_rate"] == (1, 2)  # F was still closed then
    assert fractions(rows[U2])["hotline_satisfaction_rate"] == (0, 0)  # its call-back came later
    assert (rows[U2]["score"], rows[U2]["grade"]) == (65.0, "C")
    before_anything = await assessed(analytics, as_of=local(1).isoformat())
    assert before_anything["rows"] == []


async def test_the_city_street_and_a_csv_add_up(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    city = (await assessed(analytics, level="city"))["rows"]
    assert [(row["code"], fractions(row)["close_rate"]) for row in city] == [("city", (4, 6))]
    street = (await assessed(analytics, level="street", code="320303001"))["rows"]
    assert [fractions(row)["on_time_close_rate"] for row in street] == [(3, 6)]
    table = await analytics.get("/v1/assessment", params={"from": "2026-12-01", "to": "2026-12-31", "format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    lines = table.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("rank 排名,code 编码,name 名称,score 得分,grade 等级")
    assert len(lines) == 3
    assert lines[1].startswith(f"1,{U1},")


async def test_a_period_ending_before_it_starts_is_refused(analytics: httpx.AsyncClient) -> None:
    response = await analytics.get("/v1/assessment", params={"from": "2026-12-31", "to": "2026-12-01"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_rebuild_of_every_read_model_equals_the_live_one_row_for_row(told: Told, stack: Stack) -> None:
    await settled(told.client)
    pool = told.app.state.runtime.pool
    live, figures = await every_row(pool), await assessed(told.client)

    for projection in PROJECTIONS:
        await rebuild(projection, pool=pool, kafka=stack.kafka_user("analytics"), topic=told.settings.topic)

    assert await every_row(pool) == live
    assert await assessed(told.client) == figures
    assert len(live["case_facts"]) > len(told.stories)  # one version per instant a case's facts changed


@pytest.fixture
def analytics(told: Told) -> httpx.AsyncClient:
    return told.client


async def test_periods_and_instants_outside_any_history_are_refused(analytics: httpx.AsyncClient) -> None:
    for path, params in [
        ("/v1/origin/hotspots", {"from": "0001-01-01", "to": "0001-01-02"}),
        ("/v1/assessment", {"from": "2026-12-01", "to": "9999-12-31"}),
        ("/v1/trends", {"from": "1990-01-01", "to": "2026-12-31"}),  # more than 20 years
        ("/v1/assessment", {"from": "2026-12-01", "to": "2026-12-31", "as_of": "0001-01-01T00:00:00+14:00"}),
    ]:
        response = await analytics.get(path, params=params)
        assert response.status_code in (400, 422), (path, params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
