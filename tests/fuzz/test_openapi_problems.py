"""The OpenAPI documents say what the services answer, as the HTTP fuzzer found they did not:
a 422 is problem+json (casekit/web/problems.py), `/metrics` is Prometheus text."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.adapters.open311 import PREFIX as OPEN311
from tests.conftest import ISSUER, TEST_PII_KEY
from tests.fuzz.apps import BUILDERS, SERVICES

SETTINGS = {
    "DATABASE_URL": "postgresql://nowhere/none",  # the document is made without starting anything
    "KAFKA_BOOTSTRAP_SERVERS": "nowhere:9092",
    "INTAKE_PII_KEY": TEST_PII_KEY,
    "ACCESS_JWKS_FILE": str(ISSUER.jwks_file),
}


def document(service: str) -> dict[str, Any]:
    return BUILDERS[service](SETTINGS).openapi()


@pytest.mark.parametrize("service", SERVICES)
def test_every_invalid_request_is_documented_as_problem_details(service: str) -> None:
    openapi = document(service)
    invalid = [
        (path, method, responses["422"])
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if "422" in (responses := operation["responses"]) and not path.startswith(OPEN311)
    ]
    assert invalid, "no operation documents a 422"
    for path, method, response in invalid:
        assert list(response["content"]) == ["application/problem+json"], (method, path)
        schema = response["content"]["application/problem+json"]["schema"]
        if "$ref" in schema:  # the one Problem schema the document's components hold
            schema = openapi["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        assert "errors" in schema["properties"]


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_are_documented_as_text(service: str) -> None:
    answer = document(service)["paths"]["/metrics"]["get"]["responses"]["200"]
    assert list(answer["content"]) == ["text/plain"]
