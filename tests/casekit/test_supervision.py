"""A long-running task that dies makes its service unready and unhealthy, logged and counted."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from casekit.runtime import Runtime
from casekit.service import Worker
from cityconfig import DEFAULT_CITY, load_city
from devstack.stack import Stack
from services.dispatch.main import create_app, spec_for
from services.dispatch.settings import DispatchSettings
from tests.casekit.kafka_rig import producer_on
from tests.conftest import eventually, running, service_env


class Crashing:
    """A worker with a bug: it fails after starting."""

    async def run(self) -> None:
        raise RuntimeError("worker bug")

    async def stop(self) -> None:
        pass


def crashing(runtime: Runtime, context: Any) -> Sequence[Worker]:
    return [Crashing()]


async def test_a_worker_that_dies_turns_readiness_and_liveness_off(
    stack: Stack, database: str, topics_for: str
) -> None:
    settings = DispatchSettings(**service_env(stack, database, topics_for, "dispatch"))
    spec = dataclasses.replace(spec_for(settings, load_city(DEFAULT_CITY)), background=crashing)
    app = create_app(settings, spec)
    async with running(app) as client:

        async def unready() -> None:
            assert (await client.get("/readyz")).status_code == 503

        await eventually(unready)
        ready, alive = await client.get("/readyz"), await client.get("/healthz")
        metrics = (await client.get("/metrics")).text

    assert ready.headers["content-type"] == "application/problem+json"
    assert "dispatch-Crashing" in ready.json()["tasks"]
    assert "worker bug" in ready.json()["detail"]
    assert alive.status_code == 503
    assert 'service_tasks_died_total{task="dispatch-Crashing"} 1.0' in metrics


async def test_a_consumer_task_killed_is_noticed(stack: Stack, database: str, topics_for: str) -> None:
    app = create_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch")))
    async with running(app) as client:
        assert (await client.get("/readyz")).status_code == 200
        runtime: Runtime = app.state.runtime
        [consumer] = [task for name, task in runtime.tasks.items() if name.endswith(".dispatch")]
        consumer.cancel()

        async def unready() -> None:
            assert (await client.get("/readyz")).status_code == 503

        await eventually(unready)
        reply = await client.get("/readyz")

    assert list(reply.json()["tasks"].values()) == ["cancelled"]


async def test_a_failing_dead_letter_publish_is_retried_not_fatal(
    stack: Stack, database: str, topics_for: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect: a consumer whose dead-letter publish failed ended, and nobody noticed."""
    app = create_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch")))
    failures = {"left": 3}
    real_send = AIOKafkaProducer.send_and_wait

    async def flaky_send(self: AIOKafkaProducer, topic: str, *args: Any, **kwargs: Any) -> Any:
        if topic.endswith("dlq.dispatch") and failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionError("broker away")
        return await real_send(self, topic, *args, **kwargs)

    monkeypatch.setattr(AIOKafkaProducer, "send_and_wait", flaky_send)
    async with running(app) as client, producer_on(stack.kafka_user("intake")) as intake:
        runtime: Runtime = app.state.runtime
        # Written as Intake: dispatch's own user may not write Intake's topic (ADR 0010).
        await intake.send_and_wait(f"{topics_for}cases.intake.v1", b"not json", key=b"k")

        async def parked() -> None:
            assert runtime.metrics.dead_lettered.labels(f"{topics_for}cases.intake.v1")._value.get() == 1

        await eventually(parked)
        ready = await client.get("/readyz")

    assert failures["left"] == 0
    assert ready.status_code == 200
    assert runtime.failed == {}
