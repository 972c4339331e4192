"""Analytics tests reuse the running Intake from tests/intake, and share one known history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx
import pytest
from fastapi import FastAPI

from cityconfig.city import load_city
from devstack.stack import Stack
from services.analytics.application.context import Analytics
from services.analytics.main import create_app as analytics_app
from services.analytics.main import spec_for
from services.analytics.settings import AnalyticsSettings
from tests.analytics.history import Story, history, publish
from tests.analytics.patrol_history import STORIES as PATROL_STORIES
from tests.casekit.kafka_rig import producer_on
from tests.conftest import running, service_env
from tests.intake.conftest import intake  # noqa: F401  (a fixture, found by name)


@dataclass(frozen=True)
class Told:
    """Analytics running on a known history (tests/analytics/test_assessment.py tells it)."""

    client: httpx.AsyncClient
    stories: dict[str, Story]
    app: FastAPI
    settings: AnalyticsSettings


@pytest.fixture
async def told(stack: Stack, database: str, topics_for: str) -> AsyncIterator[Told]:
    stories = history()
    async with producer_on(stack.kafka_admin) as producer:
        await publish(producer, topics_for, list(stories.values()))
    settings = AnalyticsSettings(**service_env(stack, database, topics_for, "analytics"))
    app = analytics_app(settings)
    async with running(app) as client:
        yield Told(client, stories, app, settings)


@pytest.fixture
async def patrols_told(stack: Stack, database: str, topics_for: str) -> AsyncIterator[Told]:
    """Analytics running on the patrol history (tests/analytics/patrol_history.py), without a duty roster:
    the history's officers are not the demo city's (duty.yaml), so their figures follow their patrols."""
    async with producer_on(stack.kafka_admin) as producer:
        await publish(producer, topics_for, list(PATROL_STORIES.values()))
    settings = AnalyticsSettings(**service_env(stack, database, topics_for, "analytics"))
    city = load_city(settings.city_config)
    spec = replace(spec_for(settings, city), context=lambda runtime: Analytics(runtime.pool, city))
    app = analytics_app(settings, spec)
    async with running(app) as client:
        yield Told(client, PATROL_STORIES, app, settings)
