"""The AsyncAPI document: valid by the official parser, and exactly the topics the code uses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from casekit.metrics import Metrics
from casekit.runtime import Runtime
from casekit.service import ServiceSpec
from cityconfig.city import DEFAULT_CITY, load_city
from schemas import generate
from services.analytics.main import spec_for as analytics_spec
from services.analytics.settings import AnalyticsSettings
from services.closure.main import spec_for as closure_spec
from services.closure.settings import ClosureSettings
from services.dispatch.main import spec_for as dispatch_spec
from services.dispatch.settings import DispatchSettings
from services.intake.main import spec_for
from services.intake.settings import IntakeSettings
from tests.conftest import ROOT

VALIDATOR = ROOT / "tools" / "asyncapi" / "validate.mjs"
ENV: dict[str, Any] = {
    "DATABASE_URL": "postgresql://unused",
    "KAFKA_BOOTSTRAP_SERVERS": "unused:9092",
    "INTAKE_PII_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
}
INTAKE = spec_for(IntakeSettings(**ENV), load_city(DEFAULT_CITY))
DISPATCH = dispatch_spec(DispatchSettings(**ENV), load_city(DEFAULT_CITY))
CLOSURE = closure_spec(ClosureSettings(**ENV), load_city(DEFAULT_CITY))
ANALYTICS = analytics_spec(AnalyticsSettings(**ENV), load_city(DEFAULT_CITY))
SERVICES: list[tuple[ServiceSpec[Any], Any]] = [
    (INTAKE, IntakeSettings),
    (DISPATCH, DispatchSettings),
    (CLOSURE, ClosureSettings),
    (ANALYTICS, AnalyticsSettings),
]


def validate(path: Path) -> tuple[int, dict[str, Any]]:
    result = subprocess.run(["node", str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)
    report: dict[str, Any] = json.loads(result.stdout)
    return result.returncode, report


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(generate.ASYNCAPI_FILE.read_text())
    return loaded


def topics_in_code() -> set[str]:
    """Every topic a service produces to (relay, dead letters) or consumes from."""
    used: set[str] = set()
    for spec, settings_class in SERVICES:
        settings = settings_class(**ENV)
        runtime = Runtime(spec.name, settings, None, None, None, Metrics())  # type: ignore[arg-type]
        if spec.domain_topic:
            used.add(spec.domain_topic)
        used.update(spec.produces)
        for subscription in spec.subscriptions(runtime, spec.context(runtime)):
            used.update(subscription.topics)
            used.add(subscription.dead_letter_topic)
    return used


def test_the_asyncapi_document_passes_the_official_parser() -> None:
    code, report = validate(generate.ASYNCAPI_FILE)

    assert code == 0, report
    assert report["version"] == "3.0.0"
    assert [d for d in report["diagnostics"] if d["severity"] == 0] == []


def test_a_broken_asyncapi_document_fails_the_parser(tmp_path: Path) -> None:
    broken = document()
    broken["operations"]["intake.publish"]["channel"] = {"$ref": "#/channels/no-such-channel"}
    del broken["channels"]["cases-intake-v1"]["address"]
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True))

    code, report = validate(path)

    assert code == 1
    assert not report["valid"]


def test_every_topic_the_code_uses_is_documented_and_every_documented_topic_is_used() -> None:
    documented = {channel["address"] for channel in document()["channels"].values()}

    assert topics_in_code() == documented


@pytest.mark.parametrize("channel", ["cases-intake-v1", "cases-dispatch-v1", "cases-closure-v1"])
def test_domain_topics_are_keyed_by_case_and_carry_cloudevents_headers(channel: str) -> None:
    doc = document()
    for ref in doc["channels"][channel]["messages"].values():
        message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        assert message["bindings"]["kafka"]["key"]["format"] == "uuid"
        assert {"$ref": "#/components/schemas/CloudEventHeaders"} in message["headers"]["allOf"]
        assert message["examples"][0]["headers"]["ce_subject"] == message["examples"][0]["payload"]["case_id"]
