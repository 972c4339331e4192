"""Analytics tests reuse the running Intake from tests/intake."""

from tests.intake.conftest import intake  # noqa: F401  (a fixture, found by name)
