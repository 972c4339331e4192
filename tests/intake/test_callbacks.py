"""Callbacks: a channel system is told of every public status change, signed, retried, in order,
without ever slowing intake. The receiver is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstack.ports import free_port
from devstack.stack import Stack
from services.intake.adapters.projections import change_status
from services.intake.domain.public_status import StatusChange
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import eventually, running, service_env
from tests.intake.conftest import POINT, IntakeUnderTest, report

SECRET = "s3cret-" + "x" * 40
FAST: dict[str, Any] = {
    "callback_allowlist": ["http://127.0.0.1:"],
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

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self, path: str) -> list[dict[str, Any]]:
        return [hit.json for hit in self.hits if hit.path == path and hit.answered == 204]

    async def handle(self, request: Request) -> Response:
        hit = Hit(request.url.path, dict(request.headers), await request.body())
        self.hits.append(hit)
        if hit.path in self.hanging:
            await self.release.wait()
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


def metric(intake: IntakeUnderTest, name: str, channel: str = "grid") -> float:
    return intake.app.state.runtime.metrics.registry.get_sample_value(name, {"channel": channel}) or 0.0


async def test_a_notification_is_signed_over_the_timestamp_and_the_raw_body(
    start_intake: StartIntake, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    async with start_intake() as intake:
        await subscribe(intake, receiver.url("/hook"))
        case = (await intake.post(report(reporter={"name": "王小明", "phone": "13800138000"}))).json()
        await eventually(lambda: _counted(intake, "callbacks_delivered_total", 1))
        listed = await intake.client.get("/v1/callbacks")
        [delivery] = await deliveries(intake, case_id=case["case_id"])

    [hit] = receiver.hits
    timestamp = hit.headers["x-citycases-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(hit.headers["x-citycases-signature"], f"sha256={expected}")
    assert abs(time.time() - int(timestamp)) < 300
    assert hit.headers["content-type"] == "application/json"
    assert hit.json == {
        "case_id": case["case_id"],
        "case_number": case["case_number"],
        "channel": "grid",
        "external_id": None,
        "status": "received",
        "status_note": None,
        "agency_responsible": None,
        "updated_at": hit.json["updated_at"],
        "expected_at": None,
        "sequence": delivery["sequence"],
    }
    assert delivery["state"] == "delivered"
    assert [a["http_status"] for a in delivery["attempts"]] == [204]
    logged = capsys.readouterr().out
    assert "callback.delivered" in logged
    for secret in (SECRET, "13800138000", "王小明"):
        assert secret not in logged
        assert secret not in listed.text
        assert secret not in hit.body.decode()


async def test_a_failing_receiver_is_retried_until_it_accepts(start_intake: StartIntake, receiver: Receiver) -> None:
    receiver.failures["/flaky"] = 2
    async with start_intake() as intake:
        await subscribe(intake, receiver.url("/flaky"))
        case = (await intake.post(report())).json()

        async def delivered() -> dict[str, Any]:
            [delivery] = await deliveries(intake, case_id=case["case_id"])
            assert delivery["state"] == "delivered"
            return delivery

        delivery = await eventually(delivered)
        await eventually(lambda: _counted(intake, "callbacks_delivered_total", 1))
        await eventually(lambda: _counted(intake, "callback_attempts_failed_total", 2))

    assert [a["http_status"] for a in delivery["attempts"]] == [500, 500, 204]
    assert all(a["error"] is None and a["duration_ms"] >= 0 for a in delivery["attempts"])
    assert [hit.json for hit in receiver.hits] == [receiver.hits[0].json] * 3


async def test_the_changes_of_a_case_arrive_in_order_even_when_the_first_attempt_fails(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    receiver.failures["/ordered"] = 1
    async with start_intake() as intake:
        await subscribe(intake, receiver.url("/ordered"))
        case_id = UUID((await intake.post(report())).json()["case_id"])
        for note in ("已派遣至 市政设施管理处", "改派至 环境卫生管理处"):
            async with intake.app.state.runtime.pool.acquire() as conn, conn.transaction():
                await change_status(conn, case_id, StatusChange("dispatched", note, "U1", "市政设施管理处"))
        await eventually(lambda: _count(receiver.accepted("/ordered"), 3))

    sent = [hit.json["sequence"] for hit in receiver.hits]
    accepted = receiver.accepted("/ordered")
    assert receiver.hits[0].answered == 500
    assert sent == sorted(sent)  # nothing later was even tried before an earlier change was accepted
    assert [(n["status"], n["status_note"]) for n in accepted] == [
        ("received", None),
        ("dispatched", "已派遣至 市政设施管理处"),
        ("dispatched", "改派至 环境卫生管理处"),
    ]
    assert [n["agency_responsible"] for n in accepted] == [None, "市政设施管理处", "市政设施管理处"]


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://10.0.0.8:8080/hook", "not-allowed"),
        ("https://127.0.0.1:8443/hook", "not-allowed"),
        ("http://127.0.0.1:80@evil.example/hook", "url"),
        ("ftp://127.0.0.1:21/hook", "url"),
    ],
)
async def test_a_url_outside_the_allow_list_is_refused(start_intake: StartIntake, url: str, rule: str) -> None:
    async with start_intake() as intake:
        reply = await intake.client.post("/v1/callbacks", json={"channel": "grid", "url": url, "secret": SECRET})
        listed = (await intake.client.get("/v1/callbacks")).json()

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["errors"][0]["path"] == "/body/url"
    assert reply.json()["errors"][0]["rule"] == rule
    assert listed == []


async def test_a_short_secret_is_refused(start_intake: StartIntake, receiver: Receiver) -> None:
    async with start_intake() as intake:
        body = {"channel": "grid", "url": receiver.url("/hook"), "secret": "too-short"}
        reply = await intake.client.post("/v1/callbacks", json=body)

    assert reply.status_code == 422
    assert reply.json()["errors"][0]["path"] == "/body/secret"
    assert "too-short" not in reply.text


async def test_a_delivery_is_given_up_after_the_configured_time(start_intake: StartIntake, receiver: Receiver) -> None:
    receiver.failures["/dead"] = -1
    async with start_intake(callback_give_up_minutes=0.005) as intake:  # 0.3 s
        await subscribe(intake, receiver.url("/dead"))
        case = (await intake.post(report())).json()

        async def given_up() -> dict[str, Any]:
            found = await deliveries(intake, case_id=case["case_id"], state="given_up")
            assert len(found) == 1
            return found[0]

        delivery = await eventually(given_up)
        await eventually(lambda: _counted(intake, "callbacks_given_up_total", 1))

    assert delivery["attempts"]
    assert all(a["http_status"] == 500 for a in delivery["attempts"])
    assert delivery["finished_at"] is not None
    assert delivery["next_attempt_at"] is None


async def test_a_slow_receiver_times_out_and_does_not_hold_up_a_report(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    receiver.hanging.add("/slow")
    async with start_intake(callback_timeout_seconds=0.2) as intake:
        await subscribe(intake, receiver.url("/slow"))
        first = (await intake.post(report())).json()

        async def timed_out() -> None:
            [delivery] = await deliveries(intake, case_id=first["case_id"])
            assert delivery["state"] == "pending"
            assert delivery["attempts"]
            assert delivery["attempts"][0]["error"] == "timeout after 0.2 s"

        await eventually(timed_out)
        second = await intake.post(report(location={"lat": POINT["lat"] + 0.01, "lon": POINT["lon"]}))
        [still] = await deliveries(intake, case_id=first["case_id"])

    assert second.status_code == 201
    assert still["state"] == "pending"


async def test_a_receiver_that_never_answers_does_not_hold_up_other_cases(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    receiver.hanging.add("/stuck")
    async with start_intake(callback_timeout_seconds=600) as intake:
        await subscribe(intake, receiver.url("/stuck"), channel="grid")
        await subscribe(intake, receiver.url("/fine"), channel="hotline")
        stuck = (await intake.post(report())).json()
        await eventually(lambda: _count([h for h in receiver.hits if h.path == "/stuck"], 1))

        fine = await intake.post(report(channel="hotline", category_code="06010"))
        await eventually(lambda: _count(receiver.accepted("/fine"), 1))
        [held] = await deliveries(intake, case_id=stuck["case_id"])

        async def one_pending() -> None:
            registry = intake.app.state.runtime.metrics.registry
            assert registry.get_sample_value("callback_deliveries_pending") == 1.0

        await eventually(one_pending)
        receiver.release.set()

    assert fine.status_code == 201
    assert receiver.accepted("/fine")[0]["case_id"] == fine.json()["case_id"]
    assert (held["state"], held["attempts"]) == ("pending", [])


async def test_unsubscribing_cancels_what_is_owed_and_stops_notifying(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    receiver.failures["/gone"] = -1
    async with start_intake() as intake:
        subscription_id = await subscribe(intake, receiver.url("/gone"))
        first = (await intake.post(report())).json()
        await eventually(lambda: _count([h for h in receiver.hits if h.path == "/gone"], 1, at_least=True))

        deleted = await intake.client.delete(f"/v1/callbacks/{subscription_id}")
        again = await intake.client.delete(f"/v1/callbacks/{subscription_id}")
        later = (await intake.post(report(location={"lat": POINT["lat"] + 0.01, "lon": POINT["lon"]}))).json()
        [cancelled] = await deliveries(intake, case_id=first["case_id"])
        owed_later = await deliveries(intake, case_id=later["case_id"])
        listed = (await intake.client.get("/v1/callbacks")).json()

    assert (deleted.status_code, again.status_code) == (204, 404)
    assert cancelled["state"] == "cancelled"
    assert owed_later == []
    assert listed == []


async def test_two_replicas_share_the_deliveries_and_send_each_once(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    async with start_intake() as one, start_intake() as two:
        await subscribe(one, receiver.url("/shared"))
        cases = []
        for i in range(12):
            body = report(location={"lat": POINT["lat"] + 0.001 * i, "lon": POINT["lon"]})
            cases.append((await (one if i % 2 else two).post(body)).json()["case_id"])
        await eventually(lambda: _count(receiver.accepted("/shared"), 12))

        async def both_counted() -> None:
            assert metric(one, "callbacks_delivered_total") + metric(two, "callbacks_delivered_total") == 12

        await eventually(both_counted)

    assert sorted(n["case_id"] for n in receiver.accepted("/shared")) == sorted(cases)
    assert len(receiver.hits) == 12


async def _counted(intake: IntakeUnderTest, name: str, expected: float) -> None:
    # The counters move just after the attempt is recorded, a moment after the receiver answered.
    assert metric(intake, name) == expected


async def _count(items: list[Any], expected: int, at_least: bool = False) -> None:
    assert len(items) >= expected if at_least else len(items) == expected
