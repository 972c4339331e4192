"""巡查覆盖 against a hand-computed day and week (the history: tests/analytics/patrol_history.py).

Wednesday 9 December 2026, 白云社区's four grids (seconds, metres; found = fixed + own powers + handed over):

| grid | patrolled | patrols       | seconds            | metres             | found | fixed | own | handed | flagged |
|------|-----------|---------------|--------------------|--------------------|-------|-------|-----|--------|---------|
| G1   | yes       | 1 (P1)        | 3000               | 2100               | 1 F1  | 1     | 0   | 0      | no      |
| G2   | yes       | 3 (P1 P2 P3)  | 2400+600+1800=4800 | 1650+300+1200=3150 | 1 F2  | 0     | 0   | 1      | no      |
| G3   | yes       | 1 (P2)        | 3600               | 2500               | 2 F3F4 | 1    | 1   | 0      | no (1)  |
| G4   | no        | 0             | 0                  | 0                  | 0     | 0     | 0   | 0      | yes     |

(1) flagged at 08:00, patrolled by P2 at 14:00. F5 (00:10 on the 10th) is the 10th's although it
is the 9th in UTC. Thursday 10 December: G1 P3 1800 s 1300 m; G2 P3 600 s 400 m, F5 fixed on the
spot; G3 and G4 not patrolled, G4 still flagged.

ISO week 2026-W50 (7–13 December): G1 2 days, 2 patrols, 4800 s, 3400 m, F1; G2 2 days, 3 patrols,
5400 s, 3550 m, F2 and F5; G3 1 day, 1 patrol, 3600 s, 2500 m, F3 and F4; G4 nothing, flagged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from casekit.projection_rebuild import rebuild
from devstack.stack import Stack
from services.analytics.adapters.projections import PATROLS
from tests.analytics.conftest import Told
from tests.analytics.patrol_history import AREA, G1, G2, G3, G4, LIU, STORIES, ZHANG
from tests.analytics.test_rebuild import every_row
from tests.conftest import bearer, eventually

COLUMNS = ("patrolled", "days_patrolled", "patrols", "seconds", "metres", "found", "fixed_on_spot", "own_powers",
           "handed_over", "flagged")  # fmt: skip
DAY_9 = {
    G1: (True, 1, 1, 3000, 2100, 1, 1, 0, 0, False),
    G2: (True, 1, 3, 4800, 3150, 1, 0, 0, 1, False),
    G3: (True, 1, 1, 3600, 2500, 2, 1, 1, 0, False),
    G4: (False, 0, 0, 0, 0, 0, 0, 0, 0, True),
}
DAY_10 = {
    G1: (True, 1, 1, 1800, 1300, 0, 0, 0, 0, False),
    G2: (True, 1, 1, 600, 400, 1, 1, 0, 0, False),
    G3: (False, 0, 0, 0, 0, 0, 0, 0, 0, False),
    G4: (False, 0, 0, 0, 0, 0, 0, 0, 0, True),
}
WEEK_50 = {
    G1: (True, 2, 2, 4800, 3400, 1, 1, 0, 0, False),
    G2: (True, 2, 3, 5400, 3550, 2, 1, 0, 1, False),
    G3: (True, 1, 1, 3600, 2500, 2, 1, 1, 0, False),
    G4: (False, 0, 0, 0, 0, 0, 0, 0, 0, True),
}


@pytest.fixture
def analytics(patrols_told: Told) -> httpx.AsyncClient:
    return patrols_told.client


async def coverage(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/patrols/coverage", params={"area": AREA, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def table(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {row["grid_code"]: tuple(row[c] for c in COLUMNS) for row in body["grids"]}


async def settled(client: httpx.AsyncClient) -> None:
    async def all_projected() -> None:
        assert table(await coverage(client, day="2026-12-09")) == DAY_9
        assert table(await coverage(client, day="2026-12-10")) == DAY_10

    await eventually(all_projected, within=60)


async def test_a_day_and_a_week_of_coverage_are_the_hand_computed_ones(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    day = await coverage(analytics, day="2026-12-09")
    assert (day["from"], day["to"], day["patrolled"], day["total"]) == ("2026-12-09", "2026-12-09", 3, 4)
    assert all(row["name"].endswith("网格") for row in day["grids"])
    assert [row["officers"] for row in day["grids"]] == [[ZHANG], [LIU, ZHANG], [LIU], []]
    week = await coverage(analytics, week="2026-W50")
    assert (week["from"], week["to"]) == ("2026-12-07", "2026-12-13")
    assert table(week) == WEEK_50
    before = await coverage(analytics, day="2026-12-08")  # G4's flag was raised at 20:00 that day
    assert {g: row[-1] for g, row in table(before).items()} == {G1: False, G2: False, G3: False, G4: True}
    assert not any(row[0] for row in table(before).values())


async def test_the_whole_city_lists_every_grid_patrolled_or_not(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    city = await coverage(analytics, day="2026-12-09", area="")
    assert city["total"] > 800  # every unit grid of the demo city
    assert city["patrolled"] == 3
    assert {row["grid_code"] for row in city["grids"] if row["patrolled"] or row["flagged"]} == {G1, G2, G3, G4}


async def test_open_flags_are_the_grids_flagged_and_not_patrolled_since(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    flags = (await analytics.get("/v1/patrols/flags")).json()
    assert [(f["grid_code"], f["flagged_at"]) for f in flags] == [(G4, "2026-12-08T20:00:00+08:00")]
    before_p2 = (await analytics.get("/v1/patrols/flags", params={"as_of": "2026-12-09T12:00:00+08:00"})).json()
    assert [f["grid_code"] for f in before_p2] == [G3, G4]


async def test_an_officers_day_lists_their_patrols_and_findings(analytics: httpx.AsyncClient) -> None:
    await settled(analytics)
    day = (await analytics.get(f"/v1/patrols/officers/{ZHANG}/days/2026-12-09")).json()
    patrols = {p["patrol_id"]: [v["grid_code"] for v in p["visits"]] for p in day["patrols"]}
    assert patrols == {str(STORIES["p1"].case_id): [G1, G2], str(STORIES["p3"].case_id): [G2]}
    assert [f["case_number"] for f in day["findings"]] == ["GR-20261201-000011", "GR-20261201-000012"]
    assert (day["seconds"], day["metres"]) == (3000 + 2400 + 1800, 2100 + 1650 + 1200)
    assert day["patrols"][1]["finished_at"] == "2026-12-10T00:40:00+08:00"
    after = (await analytics.get(f"/v1/patrols/officers/{ZHANG}/days/2026-12-10")).json()
    assert [[v["grid_code"] for v in p["visits"]] for p in after["patrols"]] == [[G2, G1]]
    assert [f["finding"] for f in after["findings"]] == ["fixed_on_spot"]


async def test_patrol_events_make_no_cases(patrols_told: Told) -> None:
    """A patrol's, a grid watch's id is the events' `case_id` but no case: no trace, no facts, no counts."""
    analytics = patrols_told.client
    await settled(analytics)
    for name in ("p1", "p3", "flag_g4"):
        response = await analytics.get(f"/v1/cases/{STORIES[name].case_id}/trace")
        assert response.status_code == 404, response.text
    reports = {story.case_id for name, story in STORIES.items() if not name.startswith(("p", "flag"))}

    async def every_read_model() -> None:
        counts = (await analytics.get("/v1/reports/counts", params={"until": "2027-01-01T00:00:00+08:00"})).json()
        assert counts == [
            {"channel": "grid", "opened": 6, "merged": 0},
            {"channel": "hotline", "opened": 2, "merged": 0},
        ]
        rows = await every_row(patrols_told.app.state.runtime.pool)
        assert {row[0] for row in rows["case_facts"]} == reports
        assert {row[1] for row in rows["case_trace"]} == reports

    await eventually(every_read_model)


async def test_bad_periods_and_areas_are_refused(analytics: httpx.AsyncClient) -> None:
    for params in ({"day": "2026-12-09", "week": "2026-W50"}, {"week": "2026-W60"}, {"week": "50"},
                   {"day": "2026-12-09", "area": "999999"}):  # fmt: skip
        response = await analytics.get("/v1/patrols/coverage", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_no_day_and_no_week_is_the_city_s_today(analytics: httpx.AsyncClient) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    response = await analytics.get("/v1/patrols/coverage")
    assert response.status_code == 200, response.text
    assert (response.json()["from"], response.json()["to"]) == (today, today)


async def test_a_unit_staff_member_may_not_read_coverage(analytics: httpx.AsyncClient) -> None:
    response = await analytics.get(
        "/v1/patrols/coverage", params={"day": "2026-12-09"}, headers=bearer("unit_staff", unit="x")
    )
    assert response.status_code == 403


async def test_a_rebuild_of_the_patrols_equals_the_live_rows(patrols_told: Told, stack: Stack) -> None:
    """The patrol read model from offset 0 (every write idempotent): the same rows, the same answers."""
    await settled(patrols_told.client)
    pool = patrols_told.app.state.runtime.pool
    live, week = await every_row(pool), await coverage(patrols_told.client, week="2026-W50")
    generation = await rebuild(
        PATROLS, pool=pool, kafka=stack.kafka_user("analytics"), topic=patrols_told.settings.topic
    )
    assert generation == 2
    assert await every_row(pool) == live
    assert await coverage(patrols_told.client, week="2026-W50") == week
    assert len(live["patrol_visits"]) == 1 + 2 + 2 + 3  # P0, P1, P2, P3 (two days)
    assert len(live["patrol_reports"]) == 8
    assert len(live["grid_flags"]) == 2
