"""Rebuild Analytics' read models from offset 0 while it runs: `python -m services.analytics.rebuild [NAME…]`.

Prints a progress line per projection; the old tables answer until the new ones are swapped in.
"""

import asyncio
import sys

from casekit.projection_service import rebuild_command
from services.analytics.adapters.projections import GROUP, PROJECTIONS
from services.analytics.main import MIGRATIONS
from services.analytics.settings import AnalyticsSettings

if __name__ == "__main__":
    sys.exit(asyncio.run(rebuild_command(PROJECTIONS, AnalyticsSettings(), MIGRATIONS, GROUP)))
