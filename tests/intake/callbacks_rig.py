"""The callback tests' receiver (a real HTTP server on 127.0.0.1) and Intake with fast callback
settings; conftest.py makes the fixtures available to every Intake test module."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstack.ports import free_port
from devstack.stack import Stack
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import eventually, running, service_env
from tests.intake.conftest import IntakeUnderTest

SECRET = "s3cret-" + "x" * 40
FAST: dict[str, Any] = {
    "callback_allowlist": ["http://127.0.0.1:"],
    "callback_allow_private_networks": ["127.0.0.0/8"],  # the receiver is local
    "callback_timeout_seconds": 5.0,
    "callback_backoff_seconds": 0.05,
    "callback_max_backoff_seconds": 0.2,
    "callback_poll_seconds": 0.05,
}


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None = None
    """The status the receiver answered with; None while it holds the request."""

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.body)
        return data


@dataclass
class Receiver:
    """Records every request; each path fails its first N, always fails, or never answers."""

    port: int
    hits: list[Hit] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """Path -> how many requests to answer 500 before 204; -1 for every one."""
    hanging: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    redirects: dict[str, str] = field(default_factory=dict)
    """Path -> where a 302 sends the caller."""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self, path: str) -> list[dict[str, Any]]:
        return [hit.json for hit in self.hits if hit.path == path and hit.answered == 204]

    async def handle(self, request: Request) -> Response:
        hit = Hit(request.url.path, dict(request.headers), await request.body())
        self.hits.append(hit)
        if hit.path in self.hanging:
            await self.release.wait()
        if hit.path in self.redirects:
            hit.answered = 302
            return Response(status_code=302, headers={"Location": self.redirects[hit.path]})
        left = self.failures.get(hit.path, 0)
        if left:
            self.failures[hit.path] = left - 1 if left > 0 else left
            hit.answered = 500
        else:
            hit.answered = 204
        return Response(status_code=hit.answered)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver(free_port())
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=receiver.port, log_config=None, lifespan="off", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> None:
        assert server.started

    await eventually(started)
    yield receiver
    receiver.release.set()
    server.should_exit = True
    await task


StartIntake = Callable[..., contextlib.AbstractAsyncContextManager[IntakeUnderTest]]


@pytest.fixture
def start_intake(stack: Stack, database: str, topics_for: str) -> StartIntake:
    """Intake with fast callback settings, plus whatever a test overrides."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[IntakeUnderTest]:
        app = create_app(IntakeSettings(**service_env(stack, database, topics_for, "intake"), **{**FAST, **overrides}))
        async with running(app) as client:
            yield IntakeUnderTest(app, client, topics_for)

    return start


async def subscribe(intake: IntakeUnderTest, url: str, channel: str = "grid", secret: str = SECRET) -> str:
    reply = await intake.client.post("/v1/callbacks", json={"channel": channel, "url": url, "secret": secret})
    assert reply.status_code == 201, reply.text
    subscription_id: str = reply.json()["id"]
    return subscription_id


async def deliveries(intake: IntakeUnderTest, **params: str) -> list[dict[str, Any]]:
    reply = await intake.client.get("/v1/callbacks/deliveries", params=params)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found
