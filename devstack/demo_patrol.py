"""The demo's patrol (巡查): an officer of duty.yaml walks 万通社区's two grids, fixes one problem on the
spot and hands one over, finishes, and signs the day's work log (工作日志) off.

The track is drawn inside the grids' outlines (cities/xuzhou-demo), ten minutes a point, ending now.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from casekit.envelope import utc_now
from cityconfig.city import City, load_city

OFFICER = "officer-320302001002-1"
"""王建军 of 万通社区工作站·执法 (cities/xuzhou-demo/duty.yaml)."""
GRIDS = ("320302001002001", "320302001002002")


def track(city: City) -> list[tuple[float, float]]:
    """Three points inside each grid, as (lat, lon) in WGS-84."""
    points = []
    for code in GRIDS:
        inside = city.jurisdictions[code].geometry.representative_point()
        points += [(inside.y + step * 1e-4, inside.x) for step in (-1, 0, 1)]
    return [p for p in points if (place := city.locate(*p)) is not None and place.grid_code in GRIDS]


async def walk_a_patrol(client: httpx.AsyncClient, intake: str, token: str, city_path: Path) -> str:
    """The patrol and its work log through Intake's API; a line for the welcome text."""
    headers = {"Authorization": f"Bearer {token}"}
    city = load_city(city_path)
    points = track(city)
    start = utc_now().replace(microsecond=0) - timedelta(minutes=10 * len(points))
    patrol_id = str(uuid4())

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = await client.post(f"{intake}{path}", json=body, headers=headers)
        if reply.status_code not in (200, 201):
            raise RuntimeError(f"the demo patrol was refused at {path}: {reply.text}")
        answer: dict[str, Any] = reply.json()
        return answer

    await post("/v1/patrols", {"patrol_id": patrol_id, "started_at": start.isoformat()})
    fixes = [{"seq": i, "at": (start + timedelta(minutes=10 * i)).isoformat(), "lat": lat, "lon": lon}
             for i, (lat, lon) in enumerate(points)]  # fmt: skip
    await post(f"/v1/patrols/{patrol_id}/track", {"points": fixes})
    first, last = points[0], points[-1]
    await post("/v1/reports", {
        "channel": "grid", "category_code": "06010", "description": "路边乱堆物料, 已当场清理 (演示巡查)",
        "location": {"lat": first[0], "lon": first[1]}, "patrol_id": patrol_id, "self_disposed": True,
        "self_disposal_photo_url": "https://example.org/demo/fixed.jpg",
    })  # fmt: skip
    await post("/v1/reports", {
        "channel": "grid", "category_code": "01002", "description": "人行道井盖破损 (演示巡查)",
        "location": {"lat": last[0], "lon": last[1]}, "patrol_id": patrol_id,
    })  # fmt: skip
    finished = await post(f"/v1/patrols/{patrol_id}/finish", {"finished_at": fixes[-1]["at"]})
    day = city.local_date(utc_now())  # the city's date: the log of today
    log = f"/v1/work-logs/{OFFICER}/{day}"
    drafted = await client.post(f"{intake}{log}/draft", json={}, headers=headers)
    if drafted.status_code == 200:
        await post(f"{log}/notes", {"note": "下午参加社区协调会 (演示)"})
        await post(f"{log}/sign-off", {})
    elif drafted.status_code != 409:  # 409: signed off on an earlier `make run` today, it no longer changes
        raise RuntimeError(f"the demo work log was refused: {drafted.text}")
    return (f"Demo patrol {patrol_id} by {OFFICER}: {len(fixes)} points, {finished.get('metres', 0):.0f} m, "
            f"a problem fixed on the spot and one handed over; work log {log} signed off")  # fmt: skip
