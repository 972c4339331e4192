"""The four services as the fuzzers start them: the real app on a fresh database and private topics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from devstack.kafka_acls import provision
from devstack.stack import Stack
from schemas.topics import ALL_TOPICS
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import fresh_database, service_env

BUILDERS: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "intake": lambda env: intake_app(IntakeSettings(**env)),
    "dispatch": lambda env: dispatch_app(DispatchSettings(**env)),
    "closure": lambda env: closure_app(ClosureSettings(**env)),
    "analytics": lambda env: analytics_app(AnalyticsSettings(**env)),
}
SERVICES = tuple(BUILDERS)


async def fresh(stack: Stack) -> tuple[str, str]:
    """A database and a topic prefix of their own: (database URL, prefix)."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    await provision(stack, ALL_TOPICS, prefix)
    return await fresh_database(stack), prefix


def environment(stack: Stack, service: str) -> dict[str, Any]:
    """Settings for one service under fuzzing, made outside any running event loop."""
    database, prefix = asyncio.run(fresh(stack))
    return service_env(stack, database, prefix, service)
