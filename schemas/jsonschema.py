"""JSON Schema (2020-12) documents of the contracts, one per type and version."""

from typing import Any

from pydantic import BaseModel

from schemas.base import Event, Message
from schemas.hotline import OutboundMessage

DIALECT = "https://json-schema.org/draft/2020-12/schema"
Contract = type[Event] | type[Message] | type[OutboundMessage]


def file_name(model: Contract) -> str:
    return f"{model.type}.v{model.schema_version}.json"


def json_schema(model: Contract) -> dict[str, Any]:
    """The model's schema with its identity: `$id` is what `ce_dataschema` names."""
    body = model.model_json_schema(mode="validation")
    return {
        "$schema": DIALECT,
        "$id": model.schema_id(),
        "x-type": model.type,
        "x-schema-version": model.schema_version,
        "x-direction": "published" if issubclass(model, Event) else "accepted",
        **body,
    }


def example_json(example: BaseModel) -> Any:
    return example.model_dump(mode="json")
