"""Every published event type, for registries, consumers and (later) schema generation."""

from schemas.base import Event
from schemas.closure import ClosureOpened
from schemas.dispatch import CaseRouted
from schemas.intake import ReportReceived

ALL_EVENTS: tuple[type[Event], ...] = (ReportReceived, CaseRouted, ClosureOpened)
