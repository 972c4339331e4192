"""Backoff with full jitter for transient failures: retried, never skipped."""

import random


def backoff(attempt: int, base: float = 0.1, cap: float = 10.0) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))
