"""Closure's contracts."""

from datetime import datetime
from typing import ClassVar

from schemas.base import Event


class ClosureOpened(Event):
    """Closure opened its record of a routed case; disposal (处置) can start."""

    type: ClassVar[str] = "closure.ClosureOpened"

    unit_code: str
    opened_at: datetime
