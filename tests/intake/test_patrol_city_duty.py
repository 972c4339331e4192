"""Intake started on the demo city checks patrols against the city's duty.yaml, with no directory given."""

from __future__ import annotations

from devstack.stack import Stack
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, running, service_env

DEMO_OFFICER = "officer-320302001002-1"
"""王建军 in cities/xuzhou-demo/duty.yaml: 万通社区's enforcement unit, two grids, every 12 hours."""


async def test_an_officer_of_the_city_s_duty_file_patrols_and_someone_not_in_it_may_not(
    stack: Stack, database: str, topics_for: str
) -> None:
    app = create_app(IntakeSettings(**service_env(stack, database, topics_for, "intake")))
    headers = bearer("officer", areas=["320302001002"], subject=DEMO_OFFICER)
    async with running(app, headers) as client:
        started = await client.post("/v1/patrols", json={})
        assert started.status_code == 201, started.text
        assert started.json()["unit_code"] == "cm-320302001002-enforcement"
        assert started.json()["brigade_code"] == "st-320302001-enforcement"
        assert started.json()["assigned_grids"] == ["320302001002001", "320302001002002"]

        stranger = bearer("officer", areas=["320302001002"], subject="officer-not-on-duty")
        refused = await client.post("/v1/patrols", json={}, headers=stranger)
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
