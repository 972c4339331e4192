"""The hotline's call-back message (回访结果, `callbacks.hotline.v1`): what it accepts and what it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from schemas import generate
from schemas.closure import CallbackSubmission
from schemas.examples import EXAMPLES
from schemas.jsonschema import file_name

EXAMPLE: dict[str, Any] = EXAMPLES[CallbackSubmission].model_dump(mode="json", exclude_none=True)


def test_the_example_names_its_case_by_number() -> None:
    submission = CallbackSubmission.model_validate(EXAMPLE)

    assert (submission.case_number, submission.case_id) == ("HL-20261124-000001", None)
    assert submission.called_at.utcoffset() is not None


def test_a_case_id_instead_of_a_number_is_accepted() -> None:
    body = {**EXAMPLE, "case_id": "01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01"}
    del body["case_number"]

    assert str(CallbackSubmission.model_validate(body).case_id) == "01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"case_id": "01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01"}, "exactly one of case_id and case_number"),
        ({"case_number": None}, "exactly one of case_id and case_number"),
        ({"result": "happy"}, "result"),
        ({"called_at": "2026-11-26T10:00:00"}, "timezone"),
        ({"callback_id": ""}, "callback_id"),
        ({"resident_phone": "13800138000"}, "resident_phone"),
    ],
    ids=["both", "neither", "unknown-result", "naive-time", "empty-id", "unknown-field"],
)
def test_a_broken_call_back_is_refused_with_the_reason(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        CallbackSubmission.model_validate({**EXAMPLE, **change})


def test_the_json_schema_refuses_an_unknown_field_too() -> None:
    schema = json.loads((generate.JSON_DIR / file_name(CallbackSubmission)).read_text())
    validator = Draft202012Validator(schema)

    assert list(validator.iter_errors(EXAMPLE)) == []
    assert [error.validator for error in validator.iter_errors({**EXAMPLE, "extra": 1})] == ["additionalProperties"]
