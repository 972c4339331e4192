"""Dispatch's typed context: what its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from dataclasses import dataclass

from casekit.eventstore import EventStore


@dataclass(frozen=True)
class Dispatch:
    """派遣: the store of assignments (routing rules join it with the Dispatch issue)."""

    store: EventStore
