"""The demo's closed loop (闭环): the first grid report taken from routing to the resident's call-back.

So that `make run` shows a case at every stage: the water bureau signs for it in Dispatch, disposes
of it in Closure, grid member A verifies it on site, the call-back team records a satisfied
resident; Open311 and the trace then say closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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


async def _eventually(probe: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if await probe():
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the demo case did not reach Closure in time")


async def close_the_loop(client: httpx.AsyncClient, url: dict[str, str], credentials: dict[str, Any],
                         case_id: str) -> list[str]:  # fmt: skip
    """Take `case_id` through the loop; the steps done, in order."""

    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {credentials[name]['token']}"}

    async def in_closure() -> bool:
        reply = await client.get(f"{url['closure']}/v1/cases/{case_id}", headers=bearer("supervisor"))
        return reply.status_code == 200

    await _eventually(in_closure)
    done = []
    for who, service, path, body in LOOP:
        target = f"{url[service]}/v1/{path.format(case=case_id)}"
        reply = await client.post(target, json=body, headers=bearer(who))
        if reply.status_code != 200:
            raise RuntimeError(f"demo step {path} as {who} was refused: {reply.status_code} {reply.text}")
        done.append(path.split("/")[-1])
        if service == "dispatch":  # Closure learns of the sign-for from Kafka
            await asyncio.sleep(0.5)
    return done
