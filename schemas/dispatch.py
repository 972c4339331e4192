"""Dispatch's contracts."""

from datetime import datetime
from typing import ClassVar

from schemas.base import Event


class CaseRouted(Event):
    """派遣: the case was routed to the unit responsible for it (责任单位)."""

    type: ClassVar[str] = "dispatch.CaseRouted"

    unit_code: str
    unit_name: str
    category_code: str
    rule: str
    routed_at: datetime
