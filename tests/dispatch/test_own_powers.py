"""权限内自行处理: a finding an officer handles under their own powers goes to the officer's unit, no routing table."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from devstack.stack import Stack
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.adapters.officers import StaticOfficers
from services.intake.domain.patrol import OfficerDuty
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, eventually, running, service_env
from tests.dispatch.city_fixture import GRID, write_city
from tests.dispatch.rig import SQUAD, Flow

OFFICERS = StaticOfficers({"officer-wang": OfficerDuty("officer-wang", SQUAD, SQUAD, (GRID,))})
OFFICER = bearer("officer", areas=[GRID[:12]], subject="officer-wang")


async def test_an_own_powers_case_goes_to_the_officers_unit(
    stack: Stack, database: str, topics_for: str, tmp_path: Path
) -> None:
    folder = write_city(tmp_path / "city")
    intake = intake_app(
        IntakeSettings(**service_env(stack, database, topics_for, "intake"), CITY_CONFIG=folder), OFFICERS
    )
    dispatch = dispatch_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch"),
                                             CITY_CONFIG=folder, timer_poll_seconds=0.05))  # fmt: skip
    async with running(intake, OFFICER) as intake_client, running(dispatch) as dispatch_client:
        flow = Flow(dispatch.state.context.city, intake_client, dispatch_client, dispatch)
        started = await intake_client.post("/v1/patrols", json={})  # a patrol's events share Intake's topic
        assert started.status_code == 201, started.text
        # 暴露垃圾 at GRID: the routing table sends it to the community's sanitation station (test_assignments_api).
        own = await flow.report(own_powers=True)
        case = await flow.assignment(own, "routed")
        metrics = await eventually(lambda: ignored(dispatch_client))

    assert case["lead_unit"] == SQUAD
    assert case["routing"]["rule"] == "own-powers"
    reason = case["routing"]["reason"]
    assert reason["rule_id"] == "own-powers"
    assert "权限内自行处理" in reason["rule"]
    assert [c["unit_code"] for c in reason["candidates"] if c["chosen"]] == [SQUAD]
    assert reason["candidates"][0]["why"].startswith("the reporting officer's unit")
    # Dispatch knows the patrol's event type and leaves it alone: ignored, never dead-lettered.
    assert "messages_dead_lettered_total{" not in metrics


async def ignored(client: httpx.AsyncClient) -> str:
    metrics = (await client.get("/metrics")).text
    assert re.search(r'messages_consumed_total\{outcome="ignored",topic="[^"]*cases\.intake\.v1"\} [1-9]', metrics), (
        "no ignored message yet"
    )
    return metrics
