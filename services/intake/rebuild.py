"""Rebuild Intake's public status from offset 0 while it runs: `python -m services.intake.rebuild`.

Prints a progress line; the old table answers until the new one is swapped in (ADR 0009).
"""

import asyncio
import sys

from casekit.projection_service import rebuild_command
from services.intake.adapters.projections import GROUP, PROJECTIONS
from services.intake.main import MIGRATIONS
from services.intake.settings import IntakeSettings

if __name__ == "__main__":
    sys.exit(asyncio.run(rebuild_command(PROJECTIONS, IntakeSettings(), MIGRATIONS, GROUP)))
