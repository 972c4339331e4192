"""The checked-in contracts: generated from the models, compatible with what was released, no PII."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from jsonschema import Draft202012Validator

from schemas import generate
from schemas.base import Event
from schemas.catalog import PUBLISHED
from schemas.compat import breaking_changes
from schemas.examples import EXAMPLES
from schemas.jsonschema import file_name, json_schema
from schemas.pii import personal_fields

RELEASED = sorted(generate.RELEASED_DIR.glob("*.json"))
Schema = dict[str, Any]


def load(path: Path) -> Schema:
    document: Schema = json.loads(path.read_text())
    return document


def test_the_checked_in_schemas_are_what_the_models_generate() -> None:
    assert generate.drift() == []


def test_a_hand_edited_schema_is_reported_as_drift(tmp_path: Path) -> None:
    shutil.copytree(generate.HERE / "json", tmp_path / "json")
    shutil.copy(generate.ASYNCAPI_FILE, tmp_path / "asyncapi.yaml")
    edited = tmp_path / "json" / "dispatch.CaseRouted.v1.json"
    edited.write_text(edited.read_text().replace('"unit_code"', '"unit"'))

    assert generate.drift(tmp_path) == ["json/dispatch.CaseRouted.v1.json"]


@pytest.mark.parametrize("released", RELEASED, ids=lambda p: p.name)
def test_no_released_schema_has_a_breaking_change(released: Path) -> None:
    current = generate.JSON_DIR / released.name

    assert current.exists(), f"{released.name} was released and must stay readable"
    old, new = load(released), load(current)
    assert breaking_changes(old, new, new["x-direction"]) == []


def _remove_field(s: Schema) -> None:
    del s["properties"]["external_id"]


def _rename_field(s: Schema) -> None:
    s["properties"]["work_order"] = s["properties"].pop("external_id")


def _change_type(s: Schema) -> None:
    s["properties"]["category_code"] = {"type": "integer"}


def _add_required(s: Schema) -> None:
    s["properties"]["district_code"] = {"type": "string"}
    s["required"].append("district_code")


def _remove_enum_value(s: Schema) -> None:
    s["properties"]["channel"]["enum"].remove("whistle")


def _nested_type_change(s: Schema) -> None:
    s["$defs"]["ReceivedLocation"]["properties"]["lat"] = {"type": "string"}


def _made_nullable(s: Schema) -> None:
    s["properties"]["received_at"] = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}


@pytest.mark.parametrize(
    ("breaking", "expected"),
    [
        (_remove_field, "/external_id: field removed or renamed"),
        (_rename_field, "/external_id: field removed or renamed"),
        (_change_type, "/category_code: type changed from ['string'] to ['integer']"),
        (_add_required, "/district_code: new required field"),
        (_remove_enum_value, "/channel: enum values removed: whistle"),
        (_nested_type_change, "/location/lat: type changed from ['number'] to ['string']"),
        (_made_nullable, "/received_at: type changed from ['string'] to ['null', 'string']"),
    ],
)
def test_a_deliberately_broken_copy_fails_the_compatibility_check(
    breaking: Callable[[Schema], None], expected: str
) -> None:
    released = load(generate.RELEASED_DIR / "intake.ReportReceived.v3.json")
    broken = copy.deepcopy(released)
    breaking(broken)

    assert expected in breaking_changes(released, broken)


def test_an_inbound_message_may_accept_more_than_it_did() -> None:
    released = load(generate.RELEASED_DIR / "intake.ReportSubmitted.v1.json")
    wider = copy.deepcopy(released)
    wider["properties"]["external_id"] = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}

    assert breaking_changes(released, wider, "accepted") == []
    assert breaking_changes(released, wider, "published") != []


def test_adding_an_optional_field_is_compatible() -> None:
    released = load(generate.RELEASED_DIR / "intake.ReportReceived.v3.json")
    grown = copy.deepcopy(released)
    grown["properties"]["priority"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}

    assert breaking_changes(released, grown) == []


def test_every_contract_has_an_example() -> None:
    assert [model.__name__ for model in generate.contracts() if model not in EXAMPLES] == []


@pytest.mark.parametrize("model", list(EXAMPLES), ids=lambda m: m.__name__)
def test_every_example_satisfies_its_own_json_schema(model: type[Event]) -> None:
    schema = load(generate.JSON_DIR / file_name(model))
    Draft202012Validator.check_schema(schema)

    errors = list(Draft202012Validator(schema).iter_errors(EXAMPLES[model].model_dump(mode="json")))

    assert errors == []


PUBLISHED_VERSIONS: list[type[Event]] = sorted({m for ms in PUBLISHED.values() for m in ms}, key=lambda m: file_name(m))


@pytest.mark.parametrize("model", PUBLISHED_VERSIONS, ids=lambda m: file_name(m))
def test_no_published_event_carries_personal_data(model: type[Event]) -> None:
    assert personal_fields(json_schema(model)) == []


def test_the_personal_data_check_catches_a_reporter_phone() -> None:
    class Leaky(Event):
        type: ClassVar[str] = "test.Leaky"
        reporter_phone: str
        unit_name: str

    assert personal_fields(json_schema(Leaky)) == ["/reporter_phone"]
