"""The example consumer in docs/ runs against real Kafka and prints a case's status changes."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import orjson
import pytest

from devstack.stack import Stack
from schemas.catalog import PUBLISHED
from schemas.dispatch import CaseRouted
from schemas.examples import CASE_ID, EXAMPLES
from schemas.intake import ReportReceived
from tests.casekit.kafka_rig import producer_on
from tests.conftest import ROOT


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example", ROOT / "docs" / "examples" / "case_status_consumer.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_example_consumer_prints_each_status_change_once(
    stack: Stack, topics_for: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with producer_on(stack.kafka_admin) as producer:
        for topic, models in PUBLISHED.items():
            model = CaseRouted if CaseRouted in models else models[0]
            headers = [("ce_id", f"id-{model.type}".encode()), ("ce_type", model.type.encode())]
            body = orjson.dumps(EXAMPLES[model].model_dump(mode="json"))
            copies = 2 if model is ReportReceived else 1  # one redelivery, printed once
            for _ in range(copies):
                await producer.send_and_wait(topics_for + topic.name, body, key=str(CASE_ID).encode(), headers=headers)

    # As the city operations platform would: its own user, a group under its prefix (ADR 0010).
    client = stack.kafka_user("city-ops").client_kwargs()
    servers = client.pop("bootstrap_servers")
    handled = await example().run(servers, f"{topics_for}city-ops.printer", topics_for, max_messages=4, **client)

    lines = capsys.readouterr().out.splitlines()
    assert handled == 4
    assert sorted(lines) == sorted(
        [
            f"{CASE_ID} received via hotline: 06010 12345 来电: 小区门口暴露垃圾多日未清运",
            f"{CASE_ID} routed to 某社区工作站·环卫 (cm-320303001001-sanitation)",
            f"{CASE_ID} opened for disposal by cm-320303001001-sanitation",
        ]
    )
