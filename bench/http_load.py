"""A small HTTP/1.1 load generator, run as its own process so it never shares the server's loop.

    python -m bench.http_load URL BODIES.json --concurrency 32            # as fast as it goes
    python -m bench.http_load URL BODIES.json --rate 200                  # open loop, fixed rate

Prints one JSON object: requests, errors, seconds, rate, p50/p99 latency (ms). At a fixed rate a
request's latency counts from when it was due, not when it was sent (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from statistics import quantiles
from typing import Any
from urllib.parse import urlsplit

# The caller's token (issue 9: every write is authenticated); the peer ignores it.
AUTHORIZATION = f"Authorization: {os.environ['BENCH_AUTHORIZATION']}\r\n" if "BENCH_AUTHORIZATION" in os.environ else ""


class Connection:
    """One keep-alive connection speaking just enough HTTP/1.1 for JSON POSTs."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> None:
        self.reader, self.writer, self.host, self.path = reader, writer, host, path

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, f"{parts.hostname}:{parts.port}", parts.path)

    async def post(self, body: bytes) -> int:
        status, _ = await self.post_reading(body)
        return status

    async def post_reading(self, body: bytes) -> tuple[int, bytes]:
        """The answer's status and body."""
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"{AUTHORIZATION}Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def summary(latencies: list[float], errors: int, seconds: float) -> dict[str, Any]:
    cuts = quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(seconds, 3),
        "rate": round(len(latencies) / seconds, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


async def as_fast_as_possible(url: str, bodies: list[bytes], concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    queue = list(reversed(bodies))

    async def worker() -> None:
        nonlocal errors
        conn = await Connection.open(url)
        while queue:
            body = queue.pop()
            started = time.perf_counter()
            status = await conn.post(body)
            latencies.append(time.perf_counter() - started)
            errors += status >= 300
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summary(latencies, errors, time.perf_counter() - started)


async def at_rate(url: str, bodies: list[bytes], rate: float, connections: int = 64) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await Connection.open(url))
    start = time.perf_counter()

    async def one(i: int, body: bytes) -> None:
        nonlocal errors
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        conn = await idle.get()
        status = await conn.post(body)
        latencies.append(time.perf_counter() - due)
        errors += status >= 300
        idle.put_nowait(conn)

    await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
    seconds = time.perf_counter() - start
    while not idle.empty():
        await idle.get_nowait().close()
    return summary(latencies, errors, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("bodies", help="a JSON file holding a list of request bodies")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float)
    args = parser.parse_args()
    with open(args.bodies, "rb") as file:
        bodies = [json.dumps(body, ensure_ascii=False).encode() for body in json.load(file)]
    if args.rate:
        result = asyncio.run(at_rate(args.url, bodies, args.rate))
    else:
        result = asyncio.run(as_fast_as_possible(args.url, bodies, args.concurrency))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
