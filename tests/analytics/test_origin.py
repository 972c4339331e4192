"""问题溯源 and the trace on the known history (tests/analytics/history.py): every count by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.analytics.conftest import Told
from tests.analytics.history import CORRECTED, GRID
from tests.analytics.test_assessment import settled

DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_trace_shows_each_stage_against_its_limit_and_the_merged_report(told: Told) -> None:
    await settled(told.client)
    a, b, h = told.stories["a"], told.stories["b"], told.stories["h"]
    trace = await get(told.client, f"/v1/cases/{a.case_id}/trace")
    assert {e["service"] for e in trace["events"]} == {"intake", "dispatch", "closure"}
    assert all(e["recorded_at"] for e in trace["events"])
    stages = {s["stage"]: (s["hours"], s["late"]) for s in trace["stages"]}
    assert stages == {
        "routing": (1.0, None),
        "sign_for": (1.0, False),
        "disposal": (22.0, False),
        "verification": (1.0, False),
        "close": (1.0, None),  # closing has no limit of its own
        "callback": (22.0, False),
    }
    assert [(m["report_id"], m["case_number"]) for m in trace["merged_reports"]] == [(str(h.case_id), h.case_number)]

    reworked = {s["stage"]: s for s in (await get(told.client, f"/v1/cases/{b.case_id}/trace"))["stages"]}
    assert reworked["disposal"]["hours"] == 93.0  # signed for 7th 12:00, the disposal that passed on the 11th 09:00
    assert reworked["disposal"]["late"] is True  # after the rework's own deadline (the 9th, 10:00)


async def test_a_trace_as_of_an_instant_shows_what_was_known_then(told: Told) -> None:
    await settled(told.client)
    f = told.stories["f"]
    now = await get(told.client, f"/v1/cases/{f.case_id}/trace")
    then = await get(told.client, f"/v1/cases/{f.case_id}/trace", as_of=(CORRECTED - timedelta(days=1)).isoformat())
    assert len(now["events"]) - len(then["events"]) == 2  # the call-back and the reopening
    assert "closure.CaseReopened" not in {e["type"] for e in then["events"]}
    assert then["stages"][-1]["stage"] == "callback"
    assert then["stages"][-1]["ended_at"] is None


async def test_hotspots_recurrences_sources_and_trends(told: Told) -> None:
    await settled(told.client)
    client = told.client
    hotspots = (await get(client, "/v1/origin/hotspots", level="grid", **DECEMBER))["rows"]
    assert [(r["code"], r["count"], r["previous"], r["change"]) for r in hotspots] == [(GRID, 7, 1, 6)]
    by_district = (await get(client, "/v1/origin/hotspots", level="district", category="06010", **DECEMBER))["rows"]
    assert by_district == []

    recurring = (await get(client, "/v1/origin/recurrences", window_days=30, **DECEMBER))["rows"]
    assert [(r["code"], r["category_code"], r["count"], r["recurrences"]) for r in recurring] == [(GRID, "01001", 6, 5)]
    stories = told.stories
    assert set(recurring[0]["case_ids"]) == {str(stories[k].case_id) for k in "abcdgf"}  # E was voided

    sources = (await get(client, "/v1/origin/sources", level="district", **DECEMBER))["rows"]
    assert [(r["code"], r["active"], r["passive"], r["active_share"]) for r in sources] == [(GRID[:6], 5, 2, 0.7143)]

    trends = await get(client, "/v1/trends", interval="month", **{"from": "2026-11-01", "to": "2026-12-31"})
    assert trends["rows"] == [
        {"period": "2026-11-01", "reported": 1, "closed": 0},
        {"period": "2026-12-01", "reported": 7, "closed": 4},
    ]


async def test_a_case_search_and_one_case_s_origin(told: Told) -> None:
    await settled(told.client)
    c, i = told.stories["c"], told.stories["i"]
    found = (await get(told.client, "/v1/cases", q=c.case_number.lower()))["rows"]
    assert [row["case_id"] for row in found] == [str(c.case_id)]
    assert len((await get(told.client, "/v1/cases", q="GR-20261201-00000"))["rows"]) == 8  # H merged: no case

    origin = await get(told.client, f"/v1/cases/{c.case_id}/origin")
    assert (origin["channel"], origin["found_by"], origin["grid_code"]) == ("grid", "user:grid-li", GRID)
    assert [e["case_id"] for e in origin["earlier_cases"]] == [str(i.case_id)]
    missing = await told.client.get(f"/v1/cases/{c.case_id.hex[:31]}0/origin")
    assert missing.status_code in (404, 422)
