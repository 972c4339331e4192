"""Map stable event type strings to their contract models, both ways."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import ValidationError

from casekit.errors import Undecodable
from schemas.base import Event


def describe(error: ValidationError) -> Undecodable:
    """The first failed rule and where in the message it failed."""
    first = error.errors()[0]
    path = "/".join(str(part) for part in first["loc"])
    return Undecodable(f"{first['type']}: {first['msg']}", path=f"/{path}")


class EventTypes:
    """The event types a service reads or writes."""

    def __init__(self, models: Iterable[type[Event]]) -> None:
        self._by_type: dict[str, type[Event]] = {}
        for model in models:
            if model.type in self._by_type:
                raise ValueError(f"event type {model.type} registered twice")
            self._by_type[model.type] = model

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._by_type

    def model(self, event_type: str) -> type[Event]:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise Undecodable(f"unknown event type {event_type!r}") from None

    def decode(self, event_type: str, data: str | bytes | dict[str, Any]) -> Event:
        model = self.model(event_type)
        try:
            payload = data if isinstance(data, dict) else orjson.loads(data)
            return model.model_validate(payload)
        except orjson.JSONDecodeError as error:
            raise Undecodable(f"not JSON: {error}") from None
        except ValidationError as error:
            raise describe(error) from None
