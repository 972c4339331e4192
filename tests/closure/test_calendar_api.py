"""`GET /v1/calendar/due`: when a limit ends on the city's working calendar, answered in +08:00."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.dispatch import TimeLimit
from tests.closure.api_rig import OTHER_UNIT, Rig, rig_fixture  # noqa: F401
from tests.conftest import bearer, system_bearer

CASES = [
    # A Friday afternoon: 1.5 working hours on Friday, 2.5 on Monday morning.
    ("2026-11-13T16:00:00+08:00", 4, "working_hours", "2026-11-16T11:00:00+08:00"),
    # National Day 2025 (1–8 October off): from the last working afternoon to the same time after it.
    ("2025-09-30T16:00:00+08:00", 1, "working_days", "2025-10-09T16:00:00+08:00"),
    # Make-up working days (调休): Sunday 28 September and Saturday 11 October 2025 work.
    ("2025-09-27T16:00:00+08:00", 1, "working_hours", "2025-09-28T09:30:00+08:00"),
    ("2025-10-10T16:00:00+08:00", 1, "working_days", "2025-10-11T16:00:00+08:00"),
    # Clock time runs through the night and the holiday; a UTC `from` is answered in +08:00.
    ("2025-09-30T15:50:00Z", 20, "minutes", "2025-10-01T00:10:00+08:00"),
    ("2025-09-30T16:00:00+08:00", 24, "hours", "2025-10-01T16:00:00+08:00"),
]


@pytest.mark.parametrize(("start", "amount", "unit", "due"), CASES)
async def test_the_due_instant_in_working_time(rig: Rig, start: str, amount: int, unit: str, due: str) -> None:
    response = await rig.client.get("/v1/calendar/due", params={"from": start, "amount": amount, "unit": unit},
                                    headers=OTHER_UNIT)  # fmt: skip

    assert response.status_code == 200, response.text
    answer = response.json()["due_at"]
    assert answer == due
    calendar = rig.closure.city.calendar
    limit = TimeLimit.model_validate({"amount": amount, "unit": unit})
    assert datetime.fromisoformat(answer) == calendar.due(datetime.fromisoformat(start), limit)


async def test_a_naive_from_is_refused_with_the_reason(rig: Rig) -> None:
    response = await rig.client.get("/v1/calendar/due", params={"from": "2025-09-30T16:00:00", "amount": 1,
                                                                "unit": "working_days"})  # fmt: skip

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["path"] == "/query/from"
    assert "no UTC offset" in error["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-09-30T16:00:00+08:00", "amount": 0, "unit": "hours"},
        {"from": "2025-09-30T16:00:00+08:00", "amount": 1001, "unit": "working_days"},
        {"from": "9999-12-31T16:00:00+08:00", "amount": 10, "unit": "working_days"},
        {"from": "2025-09-30T16:00:00+08:00", "amount": 1, "unit": "weeks"},
        {"from": "yesterday", "amount": 1, "unit": "hours"},
        {"amount": 1, "unit": "hours"},
    ],
)
async def test_bad_questions_are_422(rig: Rig, params: dict[str, str | int]) -> None:
    response = await rig.client.get("/v1/calendar/due", params=params)

    assert response.status_code == 422
    assert response.json()["errors"]


async def test_people_and_reporting_systems_may_ask_but_not_a_system_without_scopes(rig: Rig) -> None:
    params: dict[str, str | int] = {"from": "2025-09-30T16:00:00+08:00", "amount": 1, "unit": "working_days"}
    hotline = system_bearer("hotline", ["reports:submit"], ["hotline"])
    platform = system_bearer("platform", ["reports:read"])
    scopeless = system_bearer("nobody", [])

    answers = [(await rig.client.get("/v1/calendar/due", params=params, headers=who)).status_code
               for who in (hotline, platform, bearer("call_taker"), bearer("analyst"), scopeless)]  # fmt: skip

    assert answers == [200, 200, 200, 200, 403]
