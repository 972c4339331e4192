"""Reports posted at a fixed rate, each answer's case id and instant kept: bench.routing_latency's load.

    python -m bench.routing_load URL BODIES.json --rate 200

Runs as its own process (like bench.http_load) so it never shares a loop with the services or
with the Kafka observer. Open loop: request i is due at start + i / rate whatever the earlier
ones did. Prints one JSON list with, per request, `[due, accepted, status, case_id, linked]`: `due` and
`accepted` (when the answer came back) are wall-clock seconds (time.time()), the clock the
observer and the events' own instants use on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from bench.http_load import Connection

Answer = tuple[float, float, int, str | None, bool]
"""due, accepted, HTTP status, case id (None unless 200/201), linked to an open case (并单)."""


async def at_rate(url: str, bodies: list[bytes], rate: float, connections: int = 128) -> list[Answer]:
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        conn = await Connection.open(url)
        idle.put_nowait(conn)
    answers: list[Answer] = []
    # One monotonic clock drives the schedule; it is mapped once onto the wall clock.
    start = time.perf_counter() + 0.05
    wall = time.time() - time.perf_counter()

    async def one(i: int, body: bytes) -> None:
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        conn = await idle.get()
        try:
            status, reply = await conn.post_reading(body)
        except (OSError, asyncio.IncompleteReadError):
            answers.append((wall + due, time.time(), 0, None, False))
            return  # a dropped connection is an error, and is not put back
        accepted = time.time()
        idle.put_nowait(conn)
        view: dict[str, Any] = json.loads(reply) if status in (200, 201) else {}
        answers.append((wall + due, accepted, status, view.get("case_id"), view.get("linked_to") is not None))

    await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
    while not idle.empty():
        await idle.get_nowait().close()
    return sorted(answers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("bodies", help="a JSON file holding a list of request bodies")
    parser.add_argument("--rate", type=float, required=True)
    args = parser.parse_args()
    with open(args.bodies, "rb") as file:
        bodies = [json.dumps(body, ensure_ascii=False).encode() for body in json.load(file)]
    print(json.dumps(asyncio.run(at_rate(args.url, bodies, args.rate))))


if __name__ == "__main__":
    main()
