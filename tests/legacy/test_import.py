"""A legacy system's cases imported through each service's own import commands, over real PostgreSQL
and Kafka: bad rows refused with their line and reason, the same file twice changing nothing, and a
published month reproduced by the assessment (Tianmen, December 2016: 972 due, 911 closed, 737 on time)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from cityconfig.city import DEFAULT_CITY, load_city
from devstack.stack import Stack
from schemas.legacy_import import COLUMNS
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.conftest import eventually, running, service_env
from tools import import_legacy, legacy_samples

CITY = load_city(DEFAULT_CITY)
SERVICES = ("intake", "dispatch", "closure")


@contextlib.asynccontextmanager
async def the_system(stack: Stack, database: str, prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    """All four services (their relays publish what the import appends); a client on Analytics."""

    def env(service: str) -> dict[str, Any]:
        return service_env(stack, database, prefix, service)

    async with contextlib.AsyncExitStack() as services:
        await services.enter_async_context(running(intake_app(IntakeSettings(**env("intake")))))
        await services.enter_async_context(running(dispatch_app(DispatchSettings(**env("dispatch")))))
        await services.enter_async_context(running(closure_app(ClosureSettings(**env("closure")))))
        yield await services.enter_async_context(running(analytics_app(AnalyticsSettings(**env("analytics")))))


def urls(stack: Stack, database: str, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for service in SERVICES:
        monkeypatch.setenv(
            f"{service.upper()}_DATABASE_URL", service_env(stack, database, prefix, service)["DATABASE_URL"]
        )


async def event_counts(database: str) -> dict[str, int]:
    conn = await asyncpg.connect(database)
    try:
        return {s: await conn.fetchval(f"SELECT count(*) FROM {s}.events") for s in SERVICES}
    finally:
        await conn.close()


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    legacy_samples.write_csv(rows, path)
    return path


async def test_bad_rows_are_refused_with_their_line_and_the_same_file_twice_changes_nothing(
    stack: Stack,
    database: str,
    topics_for: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = legacy_samples.tianmen_december_2016()[:20]
    bad = [
        dict(rows[0], case_number="BAD-1", closed_at="2016-12-05T10:00:00"),  # no offset
        dict(rows[1], case_number="BAD-2", category_code="99999"),  # not in the catalogue
        dict(rows[2], case_number="BAD-3", grid_code="320303001001999"),  # no such unit grid
        dict(rows[3], case_number=rows[4]["case_number"]),
    ]  # a case number twice
    file = write(tmp_path / "cases.csv", [*rows[:10], *bad, *rows[10:]])
    async with the_system(stack, database, topics_for):
        urls(stack, database, topics_for, monkeypatch)
        first = await _run(file)
        out = capsys.readouterr()
        once = await event_counts(database)
        second = await _run(file)
        again = capsys.readouterr()
        twice = await event_counts(database)

    assert first == second == 1
    for line, number, reason in [
        (12, "BAD-1", "closed_at"),
        (13, "BAD-2", "99999"),
        (14, "BAD-3", "not a unit grid"),
        (15, rows[4]["case_number"], "repeats line"),
    ]:
        assert any(f"line {line} ({number})" in err and reason in err for err in out.err.splitlines()), out.err
    assert "imported 20, already there 0, refused 4" in out.out
    assert "imported 0, already there 20, refused 4" in again.out
    assert once == twice
    assert once["intake"] == 20
    conn = await asyncpg.connect(database)
    try:
        refused = await conn.fetchval("SELECT count(*) FROM intake.events WHERE data->>'case_number' LIKE 'BAD-%'")
        actors = await conn.fetch("SELECT DISTINCT actor FROM closure.events")
        first_report = await conn.fetchval(
            "SELECT occurred_at FROM intake.events WHERE data->>'case_number' = $1", rows[0]["case_number"]
        )
    finally:
        await conn.close()
    assert refused == 0
    assert [r["actor"] for r in actors] == ["import:legacy"]
    assert first_report == datetime.fromisoformat(rows[0]["reported_at"])  # its historical instant


async def _run(file: Path) -> int:
    return await asyncio.to_thread(import_legacy.main, [str(file)])


async def test_the_assessment_of_an_imported_month_is_the_legacy_system_s_published_one(
    stack: Stack,
    database: str,
    topics_for: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = write(tmp_path / "tianmen.csv", legacy_samples.tianmen_december_2016())
    async with the_system(stack, database, topics_for) as analytics:
        urls(stack, database, topics_for, monkeypatch)
        assert await _run(file) == 0

        async def published() -> dict[str, Any]:
            reply = await analytics.get(
                "/v1/assessment", params={"from": "2016-12-01", "to": "2016-12-31", "level": "city"}
            )
            figures: dict[str, Any] = reply.json()["rows"][0]["figures"]
            assert figures["due"]["numerator"] == 972
            assert (figures["close_rate"]["numerator"], figures["on_time_close_rate"]["numerator"]) == (911, 737)
            return figures

        figures = await eventually(published, within=120)

    assert (figures["close_rate"]["value"], figures["on_time_close_rate"]["value"]) == (0.9372, 0.7582)
    assert figures["close_rate"]["denominator"] == 972


def test_the_header_must_name_every_column(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing"):
        import_legacy.check_rows(",".join(COLUMNS[:-1]) + "\n", CITY)
