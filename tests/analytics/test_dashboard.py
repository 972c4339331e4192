"""大屏 in a real browser: Debian's Chromium, driven by playwright-core, on the real Analytics fed by Intake.

The browser part is a node script (web/tests/dashboard.browser.mjs) that prints what it saw as JSON;
the screenshots are kept under the test's tmp dir and copied to test-artifacts/dashboard/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from devstack.ports import free_port
from devstack.stack import Stack
from services.analytics.adapters import dashboard
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from tests.analytics.history import publish
from tests.analytics.patrol_history import AREA, LIU, ZHANG
from tests.analytics.patrol_history import STORIES as PATROL_STORIES
from tests.casekit.kafka_rig import producer_on
from tests.conftest import ISSUER, ROOT, eventually, running, service_env
from tests.intake.conftest import POINT, IntakeUnderTest, report

SCRIPT = ROOT / "web" / "tests" / "dashboard.browser.mjs"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"


def missing_tools() -> str | None:
    if not Path(CHROMIUM).exists():
        return "no Debian chromium: `make chromium`"
    built = (dashboard.BUNDLE / "index.html").exists()
    if not built or not (ROOT / "web" / "node_modules" / "playwright-core").is_dir():
        return "the dashboard is not built: `make dashboard`"
    return None


@pytest.fixture
def tools() -> None:
    reason = missing_tools()
    assert reason is None, reason  # `make test` builds both first, so a lack is a failure, never a skip


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """The app (its lifespan already run by `running`) on a loopback port a browser can reach."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())

    async def started() -> None:
        assert server.started

    await eventually(started)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


async def browse(url: str, case_id: str, out: Path) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPT),
        env={
            **os.environ,
            "DASHBOARD_URL": url,
            "DASHBOARD_TOKEN": ISSUER.person("analyst"),
            "DASHBOARD_CASE_ID": case_id,
            "DASHBOARD_PATROL_DAY": "2026-12-09",
            "DASHBOARD_PATROL_AREA": AREA,
            "DASHBOARD_PATROL_OFFICER": ZHANG,
            "DASHBOARD_OUT": str(out),
            "CHROMIUM": CHROMIUM,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    seen: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return seen


async def test_the_dashboard_draws_the_map_follows_a_filter_and_opens_a_trace(
    tools: None, intake: IntakeUnderTest, stack: Stack, database: str, tmp_path: Path
) -> None:
    app = analytics_app(AnalyticsSettings(**service_env(stack, database, intake.prefix, "analytics")))
    async with producer_on(stack.kafka_admin) as producer:  # the patrols and flags of the patrol history
        await publish(producer, intake.prefix, [s for n, s in PATROL_STORIES.items() if n.startswith(("p", "flag"))])
    async with running(app) as analytics:
        first = await intake.post(report())
        await intake.post(report(location={"lat": POINT["lat"] + 0.0001, "lon": POINT["lon"]}))  # merged (并单)
        await intake.post(report(channel="hotline", category_code="06010", location={"lat": 34.30, "lon": 117.25}))
        assert first.status_code == 201, first.text
        case_id = first.json()["case_id"]

        async def projected() -> None:
            counts = (await analytics.get("/v1/reports/counts")).json()
            assert sum(row["opened"] + row["merged"] for row in counts) == 3
            assert (await analytics.get(f"/v1/cases/{case_id}/trace")).status_code == 200
            patrolled = await analytics.get("/v1/patrols/coverage", params={"day": "2026-12-09", "area": AREA})
            assert patrolled.json()["patrolled"] == 3

        await eventually(projected)
        async with serve(app) as url:
            async with httpx.AsyncClient() as anonymous:
                page = await anonymous.get(url)
                script = await anonymous.get(f"{url}static/dashboard.js")
            seen = await browse(url, case_id, tmp_path)

    assert (page.status_code, script.status_code) == (200, 200)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    keep(seen, tmp_path)
    check(seen, case_id)


def keep(seen: dict[str, Any], tmp_path: Path) -> None:
    """The screenshots and what the browser saw, beside the test and in test-artifacts/."""
    (tmp_path / "seen.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in [*seen["screenshots"], str(tmp_path / "seen.json")]:
        shutil.copy(shot, ARTIFACTS / Path(shot).name)


def check(seen: dict[str, Any], case_id: str) -> None:
    assert "failure" not in seen, seen.get("failure")
    assert seen["pageErrors"] == []
    assert seen["console"] == []
    assert seen["loginShownWithoutToken"]
    assert seen["tokenLeftTheAddress"]
    assert seen["title"] == "城市运行管理服务 · 大屏"
    assert seen["mapPixels"] > 10_000  # the streets' outlines, filled
    # Two cases (one report merged into the first), in two streets on the map.
    assert seen["before"] == {"reports": "3", "opened": "2", "merged": "1", "mapTotal": "案件数: 2"}
    assert seen["afterFilter"] == {"reports": "0", "opened": "0", "mapTotal": "案件数: 0"}
    assert seen["back"] == {"reports": "3", "mapTotal": "案件数: 2"}
    assert seen["category"] == {"mapTotal": "案件数: 1"}
    assert seen["search"]["rows"] == 1
    assert seen["search"]["first"].startswith("GR-")
    assert seen["search"]["opened"] == case_id
    assert seen["trace"]["caseId"] == case_id
    assert seen["trace"]["types"][0] == "intake.ReportReceived"
    assert seen["trace"]["firstLabel"] == "受理"
    assert seen["english"]["title"] == "City operations · Dashboard"
    assert seen["english"]["mapTitle"].startswith("Case density")
    assert seen["english"]["traceLabel"] == "Report received"
    # 巡查覆盖 (the patrols of tests/analytics/patrol_history.py, no reports): 3 of 白云社区's 4 grids
    # patrolled on 9 December, G4 flagged; 张's day: P1 (G1, G2) and P3 (G2 before midnight).
    patrol = seen["patrol"]
    assert patrol["summary"].split() == ["已巡查", "3/4", "未巡查", "1", "未按时巡查", "1", "巡查发现:", "0"]
    assert patrol["colours"]["patrolled"] > patrol["colours"]["flagged"] > 0  # three grids green, one red
    assert patrol["colours"]["idle"] == 0  # the one not patrolled is overdue: red, not grey
    assert patrol["officers"] == [LIU, ZHANG]
    assert patrol["log"]["patrols"] == 2
    assert patrol["log"]["heading"].startswith(f"{ZHANG} · 2026-12-09 · 120 分钟")  # 3000 + 2400 + 1800 s
    assert patrol["log"]["firstGrids"] == "白云社区第1网格、白云社区第2网格"
    assert patrol["week"] == f"2026-12-07/2026-12-13/{AREA}"
    assert len(seen["screenshots"]) == 4
    assert all(Path(shot).stat().st_size > 0 for shot in seen["screenshots"])
