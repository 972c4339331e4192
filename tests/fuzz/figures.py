"""What the fuzzers did, printed at the end of the run (tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Figures:
    operations: dict[str, int] = field(default_factory=dict)
    """service -> operations in its OpenAPI document."""
    requests: Counter[str] = field(default_factory=Counter)
    """operation label -> requests sent."""
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    """operation label -> seconds spent fuzzing it."""
    messages: Counter[str] = field(default_factory=Counter)
    """consumer topic -> malformed messages produced."""
    dead_lettered: Counter[str] = field(default_factory=Counter)

    def count(self, operation: str, status: int) -> None:
        self.requests[operation] += 1
        self.statuses[status] += 1

    def lines(self) -> list[str]:
        lines = []
        if self.operations:
            lines.append(
                f"HTTP: {sum(self.operations.values())} operations ({self.operations}), "
                f"{sum(self.requests.values())} requests, statuses {dict(sorted(self.statuses.items()))}"
            )
            slowest = ", ".join(
                f"{label} {seconds:.1f}s"
                for label, seconds in sorted(self.seconds.items(), key=lambda item: -item[1])[:3]
            )
            lines.append(f"HTTP: slowest operations {slowest}")
        if self.messages:
            lines.append(
                f"Kafka: {sum(self.messages.values())} malformed messages on {len(self.messages)} topics, "
                f"{sum(self.dead_lettered.values())} dead-lettered with a reason"
            )
        return lines


FIGURES = Figures()
