"""挂账 across the services: a park the unit asks for and a dispatcher approves in Dispatch stops
Closure's clock; the unit resumes it in Closure (恢复办理), and Dispatch then lets the unit ask for a
park again, as the case is no longer parked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.closure.loop_rig import (
    STATION_STAFF,
    Loop,
    loop_fixture,  # noqa: F401 - the fixture `loop`
)
from tests.conftest import bearer, eventually
from tests.dispatch.city_fixture import GRID
from tests.intake.callbacks_rig import receiver  # noqa: F401 - the loop's callback receiver

DISPATCHER = bearer("dispatcher", areas=[GRID[:6]])


async def dispatching(loop: Loop, case_id: UUID, action: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await loop.dispatch.post(f"/v1/assignments/{case_id}/{action}", json=body, headers=headers)
    assert response.status_code == 200, (action, response.text)
    found: dict[str, Any] = response.json()
    return found


async def test_a_resumed_case_may_be_parked_again(loop: Loop) -> None:
    case_id, _ = await loop.report()
    await loop.sign_for(case_id)
    await loop.closure_case(case_id, lambda case: case["status"] == "open")

    await dispatching(loop, case_id, "park", STATION_STAFF.headers, reason="待冬季后施工")
    parked = await dispatching(loop, case_id, "park/decision", DISPATCHER, approve=True)
    assert parked["parked"] is True
    await loop.closure_case(case_id, lambda case: case["status"] == "parked")

    resumed = await loop.closure_done(case_id, "resume", STATION_STAFF, note="可以施工了")
    assert resumed == "open"

    async def no_longer_parked() -> dict[str, Any]:
        found = await loop.dispatch.get(f"/v1/assignments/{case_id}")
        assert found.status_code == 200, found.text
        assert found.json()["parked"] is False, found.json()
        body: dict[str, Any] = found.json()
        return body

    assignment = await eventually(no_longer_parked)
    assert [entry["type"] for entry in assignment["history"]][-3:] == [
        "dispatch.ParkRequested", "dispatch.ParkApproved", "dispatch.ParkEnded",
    ]  # fmt: skip
    assert assignment["history"][-1]["data"]["resumed_by"] == STATION_STAFF.actor

    again = await dispatching(loop, case_id, "park", STATION_STAFF.headers, reason="又遇雨季")
    assert again["pending_park"] == "又遇雨季"
