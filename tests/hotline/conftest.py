"""The hotline tests' fixtures: the conversation rig, and the callback receiver it builds on."""

from tests.hotline.rig import conversation  # noqa: F401  (a fixture, found by name)
from tests.intake.callbacks_rig import receiver  # noqa: F401
