"""Closure's typed context: what its use cases and reactions need, wired once in main.py."""

from __future__ import annotations

from dataclasses import dataclass

from casekit.eventstore import EventStore


@dataclass(frozen=True)
class Closure:
    """结案: the store of closure records (the working-time calendar joins it with the Closure issue)."""

    store: EventStore
