"""A patrol through the real service: start, track (a batch sent twice), reports filed during it, finish, read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import pytest

from casekit.envelope import utc_now
from cityconfig.coords import from_wgs84
from devstack.stack import Stack
from tests.casekit.kafka_rig import producer_on, read_topic
from tests.conftest import bearer, eventually
from tests.intake.patrol_rig import A_POINTS, B_POINT, GRID_A, GRID_B, UNIT, PatrolIntake, officer
from tests.intake.patrol_rig import patrolling as patrolling  # the fixture


def point(seq: int, at: datetime, lat: float, lon: float, crs: str = "WGS84") -> dict[str, Any]:
    return {"seq": seq, "at": at.isoformat(), "lat": lat, "lon": lon, "crs": crs}


def grid_report(patrol_id: str, category: str, lat: float, lon: float, **extra: Any) -> dict[str, Any]:
    return {"channel": "grid", "category_code": category, "description": "巡查发现",
            "location": {"lat": lat, "lon": lon}, "patrol_id": patrol_id, **extra}  # fmt: skip


async def test_a_patrol_with_reports_and_a_self_disposal(patrolling: PatrolIntake) -> None:
    client, patrol_id = patrolling.client, str(uuid4())
    start = utc_now().replace(microsecond=0) - timedelta(minutes=40)
    at = [start + timedelta(minutes=m) for m in (0, 10, 20, 30)]

    started = await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": start.isoformat()})
    again = await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": start.isoformat()})
    assert (started.status_code, again.status_code) == (201, 200), started.text
    assert started.json()["unit_code"] == UNIT
    assert started.json()["assigned_grids"] == [GRID_A, GRID_B]
    assert started.json()["started_at"].endswith("+08:00")

    first = [point(i, at[i], *A_POINTS[i]) for i in range(3)]
    one = await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": first})
    repeated = await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": first})
    gcj_lat, gcj_lon = from_wgs84(*B_POINT, "GCJ02")  # the device's map is AMap's
    two = await client.post(
        f"/v1/patrols/{patrol_id}/track", json={"points": [point(3, at[3], gcj_lat, gcj_lon, "GCJ02"), first[2]]}
    )
    assert (one.status_code, repeated.status_code, two.status_code) == (200, 200, 200)
    assert (one.json()["points"], repeated.json()["points"], two.json()["points"]) == (3, 3, 4)
    recorded = [data for kind, data in await patrolling.events() if kind == "intake.TrackPointsRecorded"]
    assert [[p["seq"] for p in data["points"]] for data in recorded] == [[0, 1, 2], [3]]
    assert recorded[1]["points"][0]["grid_code"] == GRID_B
    assert recorded[1]["points"][0]["lat"] == pytest.approx(B_POINT[0], abs=1e-5)

    handed = await client.post("/v1/reports", json=grid_report(patrol_id, "01002", *A_POINTS[0]))
    fixed = await client.post("/v1/reports", json=grid_report(
        patrol_id, "06010", *A_POINTS[1], self_disposed=True, self_disposal_photo_url="https://img.example/f.jpg"
    ))  # fmt: skip
    powers = await client.post("/v1/reports", json=grid_report(patrol_id, "01003", *B_POINT, own_powers=True))
    assert [r.status_code for r in (handed, fixed, powers)] == [201, 201, 201], powers.text

    finished = await client.post(f"/v1/patrols/{patrol_id}/finish", json={"finished_at": at[3].isoformat()})
    assert finished.status_code == 200, finished.text
    summary = (await client.get(f"/v1/patrols/{patrol_id}")).json()
    assert summary["status"] == "finished"
    assert summary["seconds"] == 1800
    assert summary["metres"] == pytest.approx(444.8, abs=2)  # 0.004° of latitude
    assert [(v["grid_code"], v["seconds"], v["points"]) for v in summary["visits"]] == [
        (GRID_A, 1800, 3),
        (GRID_B, 0, 1),
    ]

    received = {d["category_code"]: d for kind, d in await patrolling.events() if kind == "intake.ReportReceived"}
    assert {code: (d["patrol_id"], d["finding"], d["own_powers_unit"]) for code, d in received.items()} == {
        "01002": (patrol_id, "handed_over", None),
        "06010": (patrol_id, "fixed_on_spot", None),
        "01003": (patrol_id, "own_powers", UNIT),
    }
    # A report filed on the way back still names it; points after finish do not count.
    late = await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": [point(9, utc_now(), *B_POINT)]})
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"


async def test_who_may_name_start_and_read_a_patrol(patrolling: PatrolIntake) -> None:
    client, patrol_id = patrolling.client, str(uuid4())
    assert (await client.post("/v1/patrols", json={"patrol_id": patrol_id})).status_code == 201

    unassigned = await client.post("/v1/patrols", json={}, headers=officer("officer-zhao"))
    others = await client.post(
        "/v1/reports", json=grid_report(patrol_id, "01002", *A_POINTS[0]), headers=officer("officer-li")
    )
    unknown = await client.post("/v1/reports", json=grid_report(str(uuid4()), "01002", *A_POINTS[0]))
    powerless = await client.post(
        "/v1/reports",
        json={"channel": "grid", "category_code": "01002", "description": "x", "location": dict(zip(
            ("lat", "lon"), A_POINTS[0], strict=True)), "own_powers": True},
        headers=bearer("grid_member", areas=["320302006008"], subject="gm-zhou"),
    )  # fmt: skip
    not_theirs = await client.post(
        f"/v1/patrols/{patrol_id}/track", json={"points": [point(0, utc_now(), *A_POINTS[0])]},
        headers=officer("officer-li"),
    )  # fmt: skip
    supervisor = await client.get(f"/v1/patrols/{patrol_id}", headers=bearer("supervisor"))
    elsewhere = await client.get(f"/v1/patrols/{patrol_id}", headers=bearer("supervisor", areas=["320302001"]))
    another_officer = await client.get(f"/v1/patrols/{patrol_id}", headers=officer("officer-li"))

    assert unassigned.status_code == 409
    assert "duty assignment" in unassigned.json()["detail"]
    assert (others.status_code, others.json()["errors"][0]["rule"]) == (422, "another-officers-patrol")
    assert (unknown.status_code, unknown.json()["errors"][0]["rule"]) == (422, "unknown-patrol")
    assert (powerless.status_code, powerless.json()["errors"][0]["rule"]) == (422, "no-duty-assignment")
    assert not_theirs.status_code == 403
    assert (supervisor.status_code, elsewhere.status_code, another_officer.status_code) == (200, 403, 403)
    assert [kind for kind, _ in await patrolling.events()] == ["intake.PatrolStarted"]
    assert datetime.fromisoformat(supervisor.json()["started_at"]).astimezone(UTC) <= utc_now()


async def test_times_from_a_device_clock_running_ahead_are_refused(patrolling: PatrolIntake) -> None:
    client, patrol_id = patrolling.client, str(uuid4())
    ahead = (utc_now() + timedelta(hours=1)).isoformat()  # beyond the 5 minutes a device clock may run ahead
    early = await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": ahead})
    started = await client.post("/v1/patrols", json={"patrol_id": patrol_id})
    track = await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": [
        point(0, utc_now(), *A_POINTS[0]), {**point(1, utc_now(), *A_POINTS[1]), "at": ahead}]})  # fmt: skip
    finish = await client.post(f"/v1/patrols/{patrol_id}/finish", json={"finished_at": ahead})
    slightly = await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": [
        point(0, utc_now() + timedelta(minutes=2), *A_POINTS[0])]})  # fmt: skip

    assert (early.status_code, early.json()["errors"][0]["path"]) == (422, "/body/started_at")
    assert early.json()["errors"][0]["rule"] == "in-the-future"
    assert started.status_code == 201, started.text
    assert (track.status_code, track.json()["errors"][0]["path"]) == (422, "/body/points/1/at")
    assert (finish.status_code, finish.json()["errors"][0]["rule"]) == (422, "in-the-future")
    assert slightly.status_code == 200, slightly.text  # a clock a little fast is a clock
    assert [kind for kind, _ in await patrolling.events()] == ["intake.PatrolStarted", "intake.TrackPointsRecorded"]


async def test_batches_of_one_patrol_sent_at_once_are_all_recorded(patrolling: PatrolIntake) -> None:
    """A device flushing its queue on several connections: each batch is decided again after a race."""
    client, patrol_id = patrolling.client, str(uuid4())
    start = utc_now().replace(microsecond=0) - timedelta(minutes=30)
    assert (await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": start.isoformat()})).is_success
    batches = [[point(10 * b + i, start + timedelta(seconds=60 * b + i), *A_POINTS[0]) for i in range(10)]
               for b in range(6)]  # fmt: skip

    replies = await asyncio.gather(
        *(client.post(f"/v1/patrols/{patrol_id}/track", json={"points": batch}) for batch in batches)
    )

    assert [r.status_code for r in replies] == [200] * 6, [r.text for r in replies if r.status_code != 200]
    recorded = [d for kind, d in await patrolling.events() if kind == "intake.TrackPointsRecorded"]
    assert sorted(point["seq"] for d in recorded for point in d["points"]) == list(range(60))


async def test_a_grid_report_on_the_channel_topic_names_its_patrol_like_one_over_http(
    patrolling: PatrolIntake, stack: Stack, topics_for: str
) -> None:
    patrol_id = (await patrolling.client.post("/v1/patrols", json={})).json()["patrol_id"]
    body = grid_report(patrol_id, "01003", *A_POINTS[0], own_powers=True)
    async with producer_on(stack.kafka_user("grid-app")) as producer:
        for message_id, actor in (("grid-1", b"user:officer-li"), ("grid-2", b"user:officer-wang")):
            headers = [("ce_id", message_id.encode()), ("ce_actor", actor)]
            await producer.send_and_wait(f"{topics_for}reports.grid.v1", orjson.dumps(body), headers=headers)
        [parked] = await read_topic(stack.kafka_admin, f"{topics_for}dlq.intake", expected=1)

        async def received() -> dict[str, Any]:
            found = [data for kind, data in await patrolling.events() if kind == "intake.ReportReceived"]
            assert len(found) == 1, found
            return found[0]

        event = await eventually(received)

    assert dict(parked.headers)["dlq_rule"] == b"another-officers-patrol"  # officer-li's message
    assert (event["patrol_id"], event["finding"], event["own_powers_unit"]) == (patrol_id, "own_powers", UNIT)
