"""Every operation of every service declares the refusals it may answer, in the media type it
answers them (issue 9): a client generator or a fuzzer (schemathesis) meets no undeclared status."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.analytics.main import create_app as analytics
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake
from services.intake.settings import IntakeSettings
from tests.conftest import TEST_PII_KEY

# Never started: building the app and its document needs no database nor broker.
ENV: dict[str, Any] = {"DATABASE_URL": "postgresql://nowhere/none", "KAFKA_BOOTSTRAP_SERVERS": "nowhere:9092"}
OPEN311 = "/open311/v2"


def apps() -> dict[str, FastAPI]:
    return {
        "intake": intake(IntakeSettings(**ENV, INTAKE_PII_KEY=TEST_PII_KEY)),
        "dispatch": dispatch(DispatchSettings(**ENV)),
        "closure": closure(ClosureSettings(**ENV)),
        "analytics": analytics(AnalyticsSettings(**ENV)),
    }


def operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (service, method, path, operation)
        for service, app in apps().items()
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
    ]


OPERATIONS = operations()


@pytest.mark.parametrize(
    ("service", "method", "path", "operation"), OPERATIONS, ids=[f"{s}:{m} {p}" for s, m, p, _ in OPERATIONS]
)
def test_an_operation_declares_its_refusals(service: str, method: str, path: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    errors = {status: response for status, response in responses.items() if int(status) >= 400}
    expected = {"414", "431", "500"}
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add("400" if path.startswith(OPEN311) else "422")
    if operation.get("requestBody"):
        expected |= {"413", "415"}
    if method in ("post", "put", "patch", "delete"):
        expected.add("429")
    media = {"text/xml", "application/json"} if path.startswith(OPEN311) else {"application/problem+json"}

    assert expected <= set(errors)
    assert all(set(response["content"]) == media for response in errors.values())


def test_open311_declares_its_real_parameters_form_and_formats() -> None:
    document = apps()["intake"].openapi()
    search = document["paths"][f"{OPEN311}/requests.{{suffix}}"]["get"]
    create = document["paths"][f"{OPEN311}/requests.{{suffix}}"]["post"]
    form = create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    suffix = next(parameter for parameter in create["parameters"] if parameter["name"] == "suffix")

    assert {p["name"] for p in search["parameters"]} >= {"service_request_id", "service_code", "start_date", "status"}
    assert list(create["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
    assert form["required"] == ["api_key", "service_code"]
    assert {"lat", "long", "address_string", "description", "media_url"} <= set(form["properties"])
    assert suffix["schema"]["enum"] == ["xml", "json"]
    assert set(create["responses"]["200"]["content"]) == {"text/xml", "application/json"}
    assert "422" not in create["responses"]
