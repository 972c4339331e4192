"""The legacy import's rate: cases per second through the three services' own import commands.

`BENCH_IMPORT_CASES` (3,000) cases of the demo history (tools/legacy_samples.py) imported into fresh
service schemas with `tools.import_legacy.import_cases` (8 at a time, as the CLI does), timed from
the first case to the last; then the same file again, which finds every case already there.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from casekit.db import migrate
from cityconfig.city import DEFAULT_CITY, load_city
from schemas.legacy_import import LegacyCase
from services.closure.main import MIGRATIONS as CLOSURE
from services.dispatch.main import MIGRATIONS as DISPATCH
from services.intake.main import MIGRATIONS as INTAKE
from tools import import_legacy, legacy_samples

CASES = int(os.environ.get("BENCH_IMPORT_CASES", 3_000))


async def measure_import(url: str) -> tuple[list[str], list[dict[str, object]]]:
    city = load_city(DEFAULT_CITY)
    for schema, migrations in (("intake", INTAKE), ("dispatch", DISPATCH), ("closure", CLOSURE)):
        await migrate(url, schema, migrations)
    rows = legacy_samples.demo_history(datetime(2026, 6, 1, tzinfo=UTC), days=365, per_day=40, city=city)[:CASES]
    cases = [LegacyCase.model_validate(row) for row in rows]
    urls = dict.fromkeys(import_legacy.SERVICES, url)
    started = time.perf_counter()
    first = await import_legacy.import_cases(cases, urls, city, progress=False)
    imported_s = time.perf_counter() - started
    started = time.perf_counter()
    again = await import_legacy.import_cases(cases, urls, city, progress=False)
    again_s = time.perf_counter() - started
    rate, again_rate = first.imported / imported_s, again.already_there / again_s
    print(f"import: {rate:,.0f} cases/s; again: {again_rate:,.0f} cases/s", flush=True)
    method = (
        f"- Import: {len(cases):,} legacy cases (the demo history's mix) through the three services' import"
        " commands, 8 at a time, into fresh schemas; then the same cases again (all already there)."
    )
    rows_out = [
        f"| legacy import | {rate:,.0f} cases/s | – | measured |",
        f"| the same import again (nothing new) | {again_rate:,.0f} cases/s | – | measured |",
    ]
    results: list[dict[str, object]] = [
        {
            "name": "analytics: legacy import",
            "value": round(rate, 1),
            "unit": "cases/s",
            "compared_with": "none",
            "ratio": None,
        }
    ]
    return [method, *rows_out], results
