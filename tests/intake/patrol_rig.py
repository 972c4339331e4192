"""Intake with officers on duty: the real app, its duty assignments from a plain dict."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from devstack.stack import Stack
from services.intake.adapters.officers import StaticOfficers
from services.intake.domain.patrol import OfficerDuty
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import bearer, running, service_env

COMMUNITY = "320302006008"
GRID_A, GRID_B = "320302006008002", "320302006008001"
A_POINTS = [(34.2680, 117.1920), (34.2690, 117.1920), (34.2700, 117.1920)]
B_POINT = (34.2720, 117.1920)
UNIT = "cm-320302006008-enforcement"
OFFICERS = {
    "officer-wang": OfficerDuty("officer-wang", UNIT, "st-320302006-enforcement", (GRID_A, GRID_B)),
    "officer-li": OfficerDuty("officer-li", UNIT, "st-320302006-enforcement", (GRID_A,)),
}
WATCHED = {GRID_A: timedelta(days=1), GRID_B: timedelta(days=2)}


def officer(subject: str = "officer-wang") -> dict[str, str]:
    return bearer("officer", areas=[COMMUNITY], subject=subject)


def directory() -> StaticOfficers:
    return StaticOfficers(OFFICERS, WATCHED)


@dataclass
class PatrolIntake:
    app: FastAPI
    client: httpx.AsyncClient

    async def events(self, prefix: str = "intake.") -> list[tuple[str, dict[str, Any]]]:
        rows = await self.app.state.runtime.pool.fetch(
            "SELECT type, data::text FROM events WHERE type LIKE $1 ORDER BY global_position", prefix + "%"
        )
        return [(row[0], orjson.loads(row[1])) for row in rows]


@pytest.fixture
async def patrolling(
    stack: Stack, database: str, topics_for: str, request: pytest.FixtureRequest
) -> AsyncIterator[PatrolIntake]:
    """Intake with the test directory's officers; `indirect` parameters are more settings."""
    more: dict[str, Any] = getattr(request, "param", {})
    app = create_app(IntakeSettings(**service_env(stack, database, topics_for, "intake"), **more), directory())
    async with running(app, officer()) as client:
        yield PatrolIntake(app, client)
