"""Histories imported from a legacy system: who appends them, and how others tell (ADR 0015)."""

from __future__ import annotations

IMPORT_ACTOR_PREFIX = "import:"
LEGACY_IMPORT = "import:legacy"
"""The actor of every event a legacy import appends: the legacy system knew no verified people."""


def is_imported(actor: str | None) -> bool:
    """Whether an event came from an import rather than from someone acting now."""
    return actor is not None and actor.startswith(IMPORT_ACTOR_PREFIX)
