"""巡查超时 A patrol the officer forgot to finish is finished by Intake at its last point once the
longest patrol is over (a durable job), and counts; one the officer finished has its job cancelled."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from casekit.envelope import utc_now
from tests.conftest import eventually
from tests.intake.patrol_rig import A_POINTS, PatrolIntake
from tests.intake.patrol_rig import patrolling as patrolling  # the fixture

LONGEST_SECONDS = 8.0  # after the start is recorded; the officer's own finish comes well before
pytestmark = pytest.mark.parametrize(
    "patrolling", [{"patrol_longest_hours": LONGEST_SECONDS / 3600, "grid_watch_poll_seconds": 0.05}], indirect=True
)


async def test_a_patrol_left_open_is_finished_at_its_last_point_and_a_finished_one_is_not_touched(
    patrolling: PatrolIntake,
) -> None:
    client, forgotten, finished = patrolling.client, str(uuid4()), str(uuid4())
    start = utc_now().replace(microsecond=0) - timedelta(minutes=20)
    for patrol_id in (forgotten, finished):
        started = await client.post("/v1/patrols", json={"patrol_id": patrol_id, "started_at": start.isoformat()})
        assert started.status_code == 201, started.text
        points = [{"seq": i, "at": (start + timedelta(minutes=10 * i)).isoformat(), "lat": lat, "lon": lon}
                  for i, (lat, lon) in enumerate(A_POINTS[:2])]  # fmt: skip
        assert (await client.post(f"/v1/patrols/{patrol_id}/track", json={"points": points})).status_code == 200
    done = await client.post(f"/v1/patrols/{finished}/finish", json={})
    assert done.status_code == 200, done.text

    async def closed_by_intake() -> dict[str, object]:
        found = await client.get(f"/v1/patrols/{forgotten}")
        assert found.json()["status"] == "finished", found.json()
        body: dict[str, object] = found.json()
        return body

    row = await eventually(closed_by_intake, within=30)
    finishes = [d for kind, d in await patrolling.events() if kind == "intake.PatrolFinished"]
    jobs = await patrolling.app.state.runtime.pool.fetch(
        "SELECT correlation_id::text, state FROM jobs WHERE queue = 'intake-patrol-timeout' ORDER BY id"
    )
    metrics = (await client.get("/metrics")).text
    late = await client.post(f"/v1/patrols/{forgotten}/track", json={"points": [
        {"seq": 9, "at": utc_now().isoformat(), "lat": A_POINTS[0][0], "lon": A_POINTS[0][1]}]})  # fmt: skip

    by_patrol = {d["case_id"]: d for d in finishes}
    assert len(finishes) == 2
    assert by_patrol[forgotten]["auto"] is True
    assert by_patrol[finished]["auto"] is False
    assert by_patrol[forgotten]["finished_at"].startswith((start + timedelta(minutes=10)).isoformat()[:19])
    assert by_patrol[forgotten]["seconds"] == 600
    assert by_patrol[forgotten]["metres"] > 0
    assert row["seconds"] == 600
    assert [(str(j[0]), j[1]) for j in jobs] == [(forgotten, "done"), (finished, "cancelled")]
    assert late.status_code == 409  # finished: the device's late points are refused like after a finish
    for line in (
        'intake_patrols_finished_total{by="intake"} 1.0',
        'intake_patrols_finished_total{by="officer"} 1.0',
        "intake_patrols_started_total 2.0",
        "intake_patrol_points_recorded_total 4.0",
    ):
        assert line in metrics, line
