"""工作日志 from a known day: two patrols (one across midnight) and three reports, with exact lines and totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from casekit.envelope import utc_now
from tests.conftest import bearer
from tests.intake.patrol_rig import A_POINTS, COMMUNITY, GRID_A, GRID_B, PatrolIntake, officer
from tests.intake.patrol_rig import patrolling as patrolling  # the fixture

ZONE = ZoneInfo("Asia/Shanghai")
LON = 117.1920
METRES_PER_DEGREE = 111_195.08  # h3's mean Earth radius, along a meridian
SUPERVISOR = bearer("supervisor", areas=[COMMUNITY], subject="supervisor-li")
# Today's patrols run at fixed hours, which may still lie ahead when the suite runs early in the day.
pytestmark = pytest.mark.parametrize("patrolling", [{"device_clock_skew_minutes": 24 * 60}], indirect=True)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


async def patrol(
    client: httpx.AsyncClient, points: list[tuple[datetime, float]], reports: Sequence[dict[str, Any]] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """A patrol along the meridian through its points (time, latitude), the reports filed during it, finished."""
    patrol_id = str(uuid4())
    started = await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": points[0][0].isoformat()})
    assert started.status_code == 201, started.text
    batch = [{"seq": i, "at": at.isoformat(), "lat": lat, "lon": LON} for i, (at, lat) in enumerate(points)]
    assert (await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": batch})).status_code == 200
    filed = []
    for body in reports:
        reply = await client.post("/v1/reports", json={**body, "patrol_id": patrol_id})
        assert reply.status_code == 201, reply.text
        filed.append(reply.json())
    finished = await client.post(f"/v1/patrols/{patrol_id}/finish", json={"finished_at": points[-1][0].isoformat()})
    assert finished.status_code == 200, finished.text
    return patrol_id, filed


def report(category: str, lat: float, **extra: Any) -> dict[str, Any]:
    return {"channel": "grid", "category_code": category, "description": "巡查发现",
            "location": {"lat": lat, "lon": LON}, **extra}  # fmt: skip


async def test_a_work_log_from_a_known_day(patrolling: PatrolIntake) -> None:
    client = patrolling.client
    day = utc_now().astimezone(ZONE).date()  # the reports are filed now, so the day is today
    eve = day - timedelta(days=1)
    # Across midnight: 23:30 and 23:50 in A, 00:10 and 00:30 in B; the stretch 23:50–00:10 is split at midnight.
    night, _ = await patrol(client, [(local(eve, 23, 30), 34.2680), (local(eve, 23, 50), 34.2690),
                                     (local(day, 0, 10), 34.2720), (local(day, 0, 30), 34.2730)])  # fmt: skip
    # The morning: 09:00 and 09:30 in A, 10:00 in B; two findings filed during it.
    fixed_photo = {"self_disposed": True, "self_disposal_photo_url": "https://img.example/fixed.jpg"}
    morning, filed = await patrol(
        client, [(local(day, 9), 34.2680), (local(day, 9, 30), 34.2700), (local(day, 10), 34.2720)],
        [report("06010", A_POINTS[0][0], **fixed_photo), report("01002", A_POINTS[1][0])],
    )  # fmt: skip
    powers = await client.post("/v1/reports", json=report("01003", A_POINTS[2][0], own_powers=True))
    assert powers.status_code == 201, powers.text
    # The evening before, wholly on the eve: not today's.
    await patrol(client, [(local(eve, 20), 34.2680), (local(eve, 21), 34.2690)])

    drafted = await client.post(f"/v1/work-logs/officer-wang/{day}/draft")
    assert drafted.status_code == 200, drafted.text
    log = drafted.json()

    half = 0.0030 * METRES_PER_DEGREE / 2  # 23:50–00:10, half of it after midnight
    night_metres = half + 0.0010 * METRES_PER_DEGREE
    morning_metres = 0.0040 * METRES_PER_DEGREE
    findings = [*filed, powers.json()]
    words = ["当场处置: 暴露垃圾", "交办: 污水井盖", "自行处理: 雨水井盖"]
    both = [GRID_A, GRID_B]
    lines: list[tuple[str, datetime, str | None, str | None, list[str], float, str]] = [
        (
            "patrol",
            local(day, 0),
            night,
            None,
            both,
            1800.0,
            f"00:00–00:30 巡查 2 个网格, {night_metres / 1e3:.2f} 公里",
        ),
        (
            "patrol",
            local(day, 9),
            morning,
            None,
            both,
            3600.0,
            f"09:00–10:00 巡查 2 个网格, {morning_metres / 1e3:.2f} 公里",
        ),
    ]
    for found, word, during in zip(findings, words, [morning, morning, None], strict=True):
        at = datetime.fromisoformat(found["received_at"])
        text = f"{at.astimezone(ZONE):%H:%M} {word}"
        lines.append(("finding", at, during, found["case_number"], [found["grid_code"]], 0.0, text))
    expected = sorted(lines, key=lambda line: (line[1], line[0] != "patrol"))
    keys = ("kind", "at", "patrol_id", "case_number", "grid_codes", "seconds", "text")
    got = [tuple(datetime.fromisoformat(line[k]) if k == "at" else line[k] for k in keys) for line in log["lines"]]
    assert got == expected
    assert (log["status"], log["patrols"], log["seconds"]) == ("draft", 2, 5400.0)
    assert log["metres"] == pytest.approx(night_metres + morning_metres, abs=0.5)
    assert log["findings"] == {"fixed_on_spot": 1, "own_powers": 1, "handed_over": 1}

    eve_log = (await client.post(f"/v1/work-logs/officer-wang/{eve}/draft")).json()
    assert (eve_log["patrols"], eve_log["seconds"], eve_log["findings"]) == (2, 3600.0 + 1800.0, {})
    assert [line["text"][:11] for line in eve_log["lines"]] == ["20:00–21:00", "23:30–00:00"]


async def test_a_work_log_is_annotated_signed_off_by_its_officer_and_accepted_by_a_supervisor(
    patrolling: PatrolIntake,
) -> None:
    client, day = patrolling.client, utc_now().astimezone(ZONE).date()
    base = f"/v1/work-logs/officer-wang/{day}"
    assert (await client.post(f"{base}/draft")).status_code == 200
    again = await client.post(f"{base}/draft")  # nothing new: the same log, no new event
    by_other = await client.post(f"{base}/notes", json={"note": "代签"}, headers=officer("officer-li"))
    by_supervisor = await client.post(f"{base}/notes", json={"note": "下午参加社区协调会"}, headers=SUPERVISOR)
    early_accept = await client.post(f"{base}/accept", headers=SUPERVISOR)
    supervisor_signs = await client.post(f"{base}/sign-off", headers=SUPERVISOR)
    signed = await client.post(f"{base}/sign-off")
    redraft = await client.post(f"{base}/draft")
    officer_accepts = await client.post(f"{base}/accept", headers=officer())
    accepted = await client.post(f"{base}/accept", headers=SUPERVISOR)
    read = await client.get(base, headers=SUPERVISOR)
    someone_else = await client.get(base, headers=officer("officer-li"))
    elsewhere = bearer("supervisor", areas=["320302001"], subject="supervisor-zhao")
    other_area = await client.get(base, headers=elsewhere)
    other_area_note = await client.post(f"{base}/notes", json={"note": "别处的督导"}, headers=elsewhere)

    assert again.status_code == 200
    assert (by_other.status_code, by_supervisor.status_code) == (403, 200)
    assert (early_accept.status_code, supervisor_signs.status_code, signed.status_code) == (409, 403, 200)
    assert (redraft.status_code, officer_accepts.status_code, accepted.status_code) == (409, 403, 200)
    assert (someone_else.status_code, other_area.status_code, other_area_note.status_code) == (403, 403, 403)
    body = read.json()
    assert (body["status"], body["signed_by"], body["accepted_by"]) == (
        "accepted",
        "user:officer-wang",
        "user:supervisor-li",
    )
    assert [(n["note"], n["by"]) for n in body["notes"]] == [("下午参加社区协调会", "user:supervisor-li")]
    types = [kind for kind, _ in await patrolling.events("intake.WorkLog")]
    assert types == [
        "intake.WorkLogDrafted",
        "intake.WorkLogAnnotated",
        "intake.WorkLogSignedOff",
        "intake.WorkLogAccepted",
    ]
