"""Analytics counts every report per channel, merged (并单) ones included."""

from __future__ import annotations

from typing import Any

from devstack.stack import Stack
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from tests.conftest import eventually, running, service_env
from tests.intake.conftest import POINT, IntakeUnderTest, report


async def test_merged_reports_count_beside_the_cases_they_joined(
    intake: IntakeUnderTest, stack: Stack, database: str
) -> None:
    async with running(
        analytics_app(AnalyticsSettings(**service_env(stack, database, intake.prefix, "analytics")))
    ) as analytics:
        await intake.post(report())
        merged = await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))
        await intake.post(report(channel="hotline", category_code="06010"))

        async def counted() -> list[dict[str, Any]]:
            counts: list[dict[str, Any]] = (await analytics.get("/v1/reports/counts")).json()
            assert counts == [
                {"channel": "grid", "opened": 1, "merged": 1},
                {"channel": "hotline", "opened": 1, "merged": 0},
            ]
            return counts

        await eventually(counted)

    assert merged.json()["linked_to"] is not None
