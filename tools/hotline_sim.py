"""A stand-in for the 12345 hotline platform (接诉即办), for the tests and `make run`'s demo.

It speaks only the hotline API that docs/hotline.md documents, as the real platform would:
pushes work orders to Intake, receives our signed messages at `POST /inbox` (checking the
signature, the order per work order and duplicates), decides our return and extension requests
by its rules, and calls the resident back after our final reply. It can be taken down for a
while (`POST /control/down`) to show that Intake retries in order and loses nothing.

    HOTLINE_API_KEY=cck_hotline_… HOTLINE_SIGNING_SECRET=… python -m tools.hotline_sim \
        --intake http://127.0.0.1:8001 --port 8090
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request, Response
from pydantic import TypeAdapter

from schemas.hotline import OutboundMessage, Satisfaction, Solved
from schemas.intake import AppealKind

MESSAGES = TypeAdapter(OutboundMessage)
SIGNATURE_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Rules:
    """How the simulated hotline decides (派单异议审核, 延期审核) and how its residents answer."""

    approve_return_reasons: frozenset[str] = frozenset({"not_our_area", "not_our_trade", "not_urban_management"})
    """A return for these reasons is approved and re-dispatched (改派); any other is rejected (驳回)."""
    max_extension_days: int = 5
    """Up to this many working days are granted; a longer extension is rejected."""
    callback_after_reply: bool = True
    answers: dict[str, tuple[Satisfaction, Solved]] = field(default_factory=dict)
    """Work order -> what its resident says at the call-back; satisfied and solved by default."""


@dataclass
class Inbox:
    """Every message as it arrived, and what was wrong with any of them."""

    received: list[OutboundMessage] = field(default_factory=list)
    attempts: int = 0
    refused_while_down: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    last_sequence: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def of(self, work_order_no: str) -> list[OutboundMessage]:
        return [m for m in self.received if m.work_order_no == work_order_no]

    def kinds(self, work_order_no: str) -> list[str]:
        return [m.body.kind for m in self.of(work_order_no)]


class HotlineSimulator:
    """The platform: its inbox, its rules, and its client of our hotline API."""

    def __init__(self, intake: httpx.AsyncClient, secret: str, rules: Rules | None = None) -> None:
        self.intake = intake
        self.secret = secret
        self.rules = rules or Rules()
        self.inbox = Inbox()
        self.down_until = 0.0
        self.decisions: list[tuple[str, str, str]] = []
        """(work order, what was decided, the decision): returns, extensions and call-backs sent."""
        self._tasks: set[asyncio.Task[None]] = set()
        self.app = self._build_app()

    # --- the platform's outgoing side: our API, called as the hotline -----------------------

    async def push(self, work_order: dict[str, Any]) -> httpx.Response:
        return await self.intake.post("/hotline/v1/work-orders", json=work_order)

    async def call_back(self, work_order_no: str, body: dict[str, Any]) -> httpx.Response:
        return await self.intake.post(f"/hotline/v1/work-orders/{work_order_no}/callbacks", json=body)

    async def notify(self, work_order_no: str, body: dict[str, Any]) -> httpx.Response:
        return await self.intake.post(f"/hotline/v1/work-orders/{work_order_no}/notices", json=body)

    async def urge(self, work_order_no: str, notice_no: str, opinion: str = "市民再次来电催促") -> httpx.Response:
        return await self.notify(work_order_no, {"notice_no": notice_no, "kind": "urge", "opinion": opinion,
                                                 "issued_at": _now()})  # fmt: skip

    def take_down(self, seconds: float = float("inf")) -> None:
        """Answer 503 to every message for `seconds` (until `bring_up`, without them), as an outage would."""
        self.down_until = time.monotonic() + seconds

    def bring_up(self) -> None:
        self.down_until = 0.0

    async def settle(self) -> None:
        """Wait for the decisions and call-backs already started."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- the platform's incoming side: our messages -------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="12345 hotline simulator")

        @app.post("/inbox")
        async def inbox(request: Request) -> Response:
            return await self.receive(request.headers, await request.body())

        @app.get("/readyz")
        async def ready() -> dict[str, int]:
            return {"messages": len(self.inbox.received)}

        @app.post("/control/down")
        async def down(seconds: float = 5.0) -> dict[str, float]:
            self.take_down(seconds)
            return {"down_for_seconds": seconds}

        @app.get("/messages")
        async def messages(work_order_no: str | None = None) -> list[dict[str, Any]]:
            chosen = self.inbox.of(work_order_no) if work_order_no else self.inbox.received
            return [m.model_dump(mode="json") for m in chosen]

        @app.get("/problems")
        async def problems() -> list[str]:
            return self.inbox.problems

        return app

    async def receive(self, headers: Any, body: bytes) -> Response:
        self.inbox.attempts += 1
        if time.monotonic() < self.down_until:
            self.inbox.refused_while_down += 1
            return Response(status_code=503)
        if not self._signed(headers.get("x-citycases-timestamp", ""), headers.get("x-citycases-signature", ""), body):
            self.inbox.problems.append("a message with a bad or missing signature")
            return Response(status_code=401)
        message = MESSAGES.validate_python(orjson.loads(body))
        if any(m.message_id == message.message_id for m in self.inbox.received):
            self.inbox.duplicates += 1
            return Response(status_code=200)
        expected = self.inbox.last_sequence[message.work_order_no] + 1
        if message.sequence != expected:
            self.inbox.problems.append(f"{message.work_order_no}: sequence {message.sequence}, expected {expected}")
        self.inbox.last_sequence[message.work_order_no] = max(expected, message.sequence)
        self.inbox.received.append(message)
        self._react(message)
        return Response(status_code=200)

    def _signed(self, timestamp: str, signature: str, body: bytes) -> bool:
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
            return False
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.removeprefix("sha256="))

    def _react(self, message: OutboundMessage) -> None:
        """Decide after answering, as the platform's reviewers would: never inside our delivery."""
        body = message.body
        if body.kind == "return_request":
            self._later(self._decide_return(message.work_order_no, body.reason))
        elif body.kind == "extension_request":
            self._later(self._decide_extension(message.work_order_no, body.extension_days, body.new_due_at))
        elif body.kind == "reply" and self.rules.callback_after_reply and body.outcome != "not_handled":
            self._later(self._call_back(message.work_order_no, message.sequence))

    def _later(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _decide_return(self, work_order_no: str, reason: str) -> None:
        approved = reason in self.rules.approve_return_reasons
        decision = {"decision": "approved" if approved else "rejected", "decided_at": _now(),
                    "opinion": "同意退回, 另行派单" if approved else "属于本单位职责, 请继续办理"}  # fmt: skip
        await self._send(work_order_no, "return", decision, "return-decision")

    async def _decide_extension(self, work_order_no: str, days: int, new_due_at: datetime | None) -> None:
        approved = days <= self.rules.max_extension_days and new_due_at is not None
        decision: dict[str, Any] = {"decision": "approved" if approved else "rejected", "decided_at": _now(),
                                    "opinion": "同意延期" if approved else "延期理由不充分"}  # fmt: skip
        if approved and new_due_at is not None:
            decision["new_due_at"] = new_due_at.isoformat()
        await self._send(work_order_no, "extension", decision, "extension-decision")

    async def _call_back(self, work_order_no: str, sequence: int) -> None:
        satisfaction, solved = self.rules.answers.get(work_order_no, ("satisfied", "solved"))
        body = {"callback_id": f"HF-{work_order_no}-{sequence}", "visited_at": _now(), "connected": True,
                "staff_contacted_citizen": True, "solved": solved, "satisfaction": satisfaction}  # fmt: skip
        await self._send(work_order_no, "callback", body, "callbacks")

    async def _send(self, work_order_no: str, what: str, body: dict[str, Any], path: str) -> None:
        reply = await self.intake.post(f"/hotline/v1/work-orders/{work_order_no}/{path}", json=body)
        outcome = body.get("decision") or body.get("satisfaction") or ""
        self.decisions.append((work_order_no, what, outcome if reply.is_success else f"refused {reply.status_code}"))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def work_order(
    number: str,
    *,
    category_code: str = "06010",
    content: str = "小区门口暴露垃圾多日未清运, 气味很大",
    lat: float = 34.2561,
    lon: float = 117.2290,
    appeal_kind: AppealKind = "complaint",
    due_in: timedelta = timedelta(days=5),
    received_at: datetime | None = None,
    caller_phone: str = "13800000000",
) -> dict[str, Any]:
    """A work order as the hotline pushes it; the defaults lie in the demo city (云龙区)."""
    received = received_at or datetime.now(UTC)
    return {
        "work_order_no": number,
        "received_at": received.isoformat(),
        "title": content[:20],
        "content": content,
        "appeal_kind": appeal_kind,
        "category_code": category_code,
        "address": "徐州市云龙区 (12345 来电)",
        "location": {"lat": lat, "lon": lon},
        "urgency": "normal",
        "dispatched_at": (received + timedelta(minutes=5)).isoformat(),
        "time_limit": max(1, due_in.days),
        "time_unit": "working_days",
        "due_at": (received + due_in).isoformat(),
        "reply_required": True,
        "confidential": False,
        "caller": {"name": "王女士", "phone": caller_phone},
    }


async def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    headers = {"Authorization": f"Bearer {args.api_key}"}
    async with httpx.AsyncClient(base_url=args.intake, headers=headers, timeout=10) as intake:
        simulator = HotlineSimulator(intake, args.secret)
        server = uvicorn.Server(uvicorn.Config(simulator.app, host="127.0.0.1", port=args.port, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        for n in range(args.work_orders):
            number = f"12345-{datetime.now(UTC):%Y%m%d}-{n + 1:06d}"
            reply = await simulator.push(work_order(number, lat=34.2561 + 0.001 * n, lon=117.2290 - 0.001 * n))
            print(f"pushed {number}: HTTP {reply.status_code}", flush=True)
        await serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", required=True, help="Intake's base URL")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("HOTLINE_API_KEY"),
        help="the hotline system's API key or token (default: $HOTLINE_API_KEY)",
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("HOTLINE_SIGNING_SECRET"),
        help="the secret Intake signs its messages with (default: $HOTLINE_SIGNING_SECRET)",
    )
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--work-orders", type=int, default=3, help="work orders to push at start")
    args = parser.parse_args()
    if not args.api_key or not args.secret:
        parser.error("the hotline's API key and the signing secret are needed (see --help)")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
