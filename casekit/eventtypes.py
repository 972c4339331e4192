"""Map stable event type strings to their contract models, upcasting old versions on the way in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from pydantic import ValidationError

from casekit.errors import Undecodable
from schemas.base import Event, Upcaster


def describe(error: ValidationError) -> Undecodable:
    """The first failed rule and where in the message it failed."""
    first = error.errors()[0]
    path = "/" + "/".join(str(part) for part in first["loc"])
    return Undecodable(first["msg"], path=path, rule=first["type"])


class EventTypes:
    """The event types a service reads or writes, each at its current version."""

    def __init__(
        self, models: Iterable[type[Event]], upcasters: Mapping[tuple[str, int], Upcaster] | None = None
    ) -> None:
        self._by_type: dict[str, type[Event]] = {}
        for model in models:
            if model.type in self._by_type:
                raise ValueError(f"event type {model.type} registered twice")
            self._by_type[model.type] = model
        self._upcasters = dict(upcasters or {})

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._by_type

    def model(self, event_type: str) -> type[Event]:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise Undecodable(f"unknown event type {event_type!r}", rule="unknown-type") from None

    def decode(self, event_type: str, data: str | bytes | dict[str, Any], schema_version: int | None = None) -> Event:
        """The current model of an event, whatever version its data was written in."""
        model = self.model(event_type)
        try:
            payload = data if isinstance(data, dict) else orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise Undecodable(f"not JSON: {error}", rule="json") from None
        payload = self.upcast(event_type, payload, schema_version or model.schema_version, model.schema_version)
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            raise describe(error) from None

    def upcast(self, event_type: str, payload: Any, version: int, target: int) -> Any:
        if version > target:
            raise Undecodable(f"{event_type} v{version} is newer than this reader's v{target}", rule="version")
        while version < target:
            upcaster = self._upcasters.get((event_type, version))
            if upcaster is None:
                raise Undecodable(f"no upcaster for {event_type} v{version}", rule="version")
            if not isinstance(payload, dict):
                raise Undecodable("event data is not a JSON object", rule="type")
            try:
                payload = upcaster(payload)
            except Exception as error:  # a pure function of the data: what fails once fails every time
                raise Undecodable(f"{event_type} v{version} cannot be upcast: {error!r}", rule="version") from None
            version += 1
        return payload
