"""The demo's closed loops (闭环): the first grid report taken from routing to the resident's call-back,
and a 12345 work order through the whole conversation with the hotline simulator.

So that `make run` shows a case at every stage: the water bureau signs for it in Dispatch, disposes
of it in Closure, grid member A verifies it on site, the call-back team records a satisfied
resident; Open311 and the trace then say closed. The work order is confirmed on site by grid member
B, signed for by the sanitation station (the hotline gets 签收), the resident contacted (进展),
disposed, verified, and replied to (办结); the simulator then calls the resident back (回访).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

Step = tuple[str, str, str, dict[str, Any]]
"""(who, service, path after /v1/…/{case}, body)."""

LOOP: tuple[Step, ...] = (
    ("unit_staff_water", "dispatch", "assignments/{case}/sign-for", {}),
    ("unit_staff_water", "closure", "cases/{case}/start", {}),
    ("unit_staff_water", "closure", "cases/{case}/disposal",
     {"method": "management", "notes": "更换污水井盖, 设置警示", "photo_urls": ["https://photos.example.org/demo/after.jpg"]}),
    ("grid_member_a", "closure", "cases/{case}/verification", {"passed": True, "note": "现场核查已修复"}),
    ("callback_team", "closure", "cases/{case}/callback", {"result": "satisfied", "note": "居民表示满意"}),
)  # fmt: skip
HOTLINE_LOOP: tuple[Step, ...] = (
    ("grid_member_b", "dispatch", "assignments/{case}/confirm", {"note": "现场核实: 垃圾堆放属实"}),
    ("unit_staff_sanitation", "dispatch", "assignments/{case}/sign-for", {}),
    ("unit_staff_sanitation", "closure", "cases/{case}/progress", {"progress": "contacted", "staff": "环卫站 赵师傅"}),
    ("unit_staff_sanitation", "closure", "cases/{case}/start", {}),
    ("unit_staff_sanitation", "closure", "cases/{case}/disposal",
     {"method": "service", "notes": "已清运堆放垃圾, 告知物业加强管理", "photo_urls": []}),
    ("grid_member_b", "closure", "cases/{case}/verification", {"passed": True, "note": "现场已清理"}),
    ("unit_staff_sanitation", "closure", "cases/{case}/reply",
     {"outcome": "solved", "summary": "已清运垃圾并告知物业加强管理", "method": "phone"}),
)  # fmt: skip
NOT_THERE_YET = (404, 409)
"""A step refused because the event before it has not reached this service yet: tried again."""


async def close_the_loop(
    client: httpx.AsyncClient, url: dict[str, str], credentials: dict[str, Any], case_id: str,
    steps: tuple[Step, ...] = LOOP, seconds: float = 30,
) -> list[str]:  # fmt: skip
    """Take `case_id` through `steps`; the steps done, in order.

    Services learn of each other's steps from Kafka, so a step refused as not there yet (404, 409)
    is tried again for up to `seconds`."""
    done = []
    for who, service, path, body in steps:
        target = f"{url[service]}/v1/{path.format(case=case_id)}"
        headers = {"Authorization": f"Bearer {credentials[who]['token']}"}
        for _ in range(int(seconds * 10)):
            reply = await client.post(target, json=body, headers=headers)
            if reply.status_code not in NOT_THERE_YET:
                break
            await asyncio.sleep(0.1)
        if reply.status_code != 200:
            raise RuntimeError(f"demo step {path} as {who} was refused: {reply.status_code} {reply.text}")
        done.append(path.split("/")[-1])
    return done
