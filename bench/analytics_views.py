"""The p95 latency of each Analytics view on 1 million cases (target < 50 ms).

The case facts are written straight into the projection's table with SQL (`generate_series`), not
projected from events: this part measures the views' queries, the projection's rate is measured
beside it. Each case has two versions (an earlier one before its closing was recorded), spread
over twelve months of the demo city's unit grids and categories, so `as_of` reads a real history.
Each view is asked `BENCH_VIEW_REPEATS` times after two warm-up calls, through the same functions
the HTTP routes call, on a pool like the service's.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from casekit.db import create_pool, migrate
from casekit.projection import ensure
from cityconfig.city import DEFAULT_CITY, load_city
from services.analytics.adapters.projections import CASE_FACTS, GROUP
from services.analytics.adapters.views import assessment, origin
from services.analytics.adapters.views.fact_queries import Period
from services.analytics.domain.assessment import assess
from services.analytics.main import MIGRATIONS

CASES = int(os.environ.get("BENCH_VIEW_CASES", 1_000_000))
REPEATS = int(os.environ.get("BENCH_VIEW_REPEATS", 30))
TARGET_MS = 50.0
SCHEMA = "analytics"
CATEGORIES = ["01001", "01002", "02001", "03001", "04001", "05001", "06010", "07001"]
FILL = """
INSERT INTO {table} (case_id, recorded_from, recorded_to, case_number, channel, category_code, district_code,
    street_code, community_code, grid_code, h3_cell, reported_at, found_by, self_disposed, imported, routed_at,
    unit_code, unit_name, signed_for_at, sign_for_late, disposal_due_at, disposed_at, disposal_late, disposal_method,
    verification_due_at, verified_at, verification_late, rework_count, reopen_count, closed_at, closure_kind,
    callback_result, close_due_at, returns, escalations, merged_reports, voided_at)
SELECT id, v.recorded_from, v.recorded_to, 'BN-' || lpad(n::text, 8, '0'), c.channel, c.category,
    substr(c.grid, 1, 6), substr(c.grid, 1, 9), substr(c.grid, 1, 12), c.grid, 'h3-' || (n % 5000),
    c.reported, 'user:grid', n % 17 = 0, false, c.reported + interval '5 minutes',
    'unit-' || (n % 40), 'unit ' || (n % 40), c.reported + interval '30 minutes', n % 9 = 0,
    c.reported + interval '3 days', c.reported + interval '1 day', n % 7 = 0,
    (ARRAY['service','service','service','service','service','service','service','management','management',
           'enforcement'])[1 + n % 10],
    c.reported + interval '26 hours', c.reported + interval '25 hours', n % 11 = 0, (n % 13 = 0)::int, 0,
    CASE WHEN v.latest AND n % 10 <> 0 THEN c.reported + interval '2 days' END,
    CASE WHEN v.latest AND n % 10 <> 0 THEN (CASE WHEN n % 8 = 0 THEN 'late' ELSE 'normal' END) END,
    CASE WHEN v.latest THEN (ARRAY['satisfied','basically_satisfied','unsatisfied','unreachable'])[1 + n % 4] END,
    c.reported + interval '3 days', 0, 0, 0, CASE WHEN n % 50 = 0 THEN c.reported + interval '1 hour' END
FROM generate_series($1::bigint, $2::bigint) AS n,
    LATERAL (SELECT md5(n::text)::uuid AS id) AS i,
    LATERAL (SELECT ($3::text[])[1 + n % array_length($3::text[], 1)] AS grid,
                    ($4::text[])[1 + (n / 7) % array_length($4::text[], 1)] AS category,
                    (ARRAY['grid','grid','grid','whistle','hotline','hotline','public'])[1 + n % 7] AS channel,
                    $5::timestamptz + (n * 31.5 || ' seconds')::interval AS reported) AS c,
    LATERAL (VALUES (c.reported, c.reported + interval '2 days', false),
                    (c.reported + interval '2 days', NULL::timestamptz, true)) AS v(recorded_from, recorded_to, latest)
"""
START = datetime(2025, 12, 1, tzinfo=UTC)


async def fill(url: str) -> tuple[asyncpg.Pool, float]:
    await migrate(url, SCHEMA, MIGRATIONS)
    pool = await create_pool(url, SCHEMA, max_size=4)
    await ensure(pool, CASE_FACTS, GROUP)
    table = CASE_FACTS.names(1)["case_facts"]
    grids = sorted(code for code, j in load_city(DEFAULT_CITY).jurisdictions.items() if j.level == "grid")
    started = time.perf_counter()
    chunk = 100_000
    for first in range(1, CASES + 1, chunk):
        await pool.execute(FILL.format(table=table), first, min(first + chunk - 1, CASES), grids, CATEGORIES, START)
    await pool.execute(f"VACUUM ANALYZE {table}")
    return pool, time.perf_counter() - started


def views(pool: asyncpg.Pool) -> dict[str, Callable[[], Awaitable[Any]]]:
    zone = load_city(DEFAULT_CITY).timezone
    month = Period(date(2026, 6, 1), date(2026, 6, 30), zone)
    as_of = datetime(2026, 7, 3, tzinfo=UTC)
    some_case = uuid.UUID(bytes=bytes.fromhex("c4ca4238a0b923820dcc509a6f75849b"))  # md5('1')

    async def assessed(level: str, at: datetime | None = None) -> Any:
        return assess(await assessment.tallies(pool, month, level, None, at))  # type: ignore[arg-type]

    return {
        "assessment by unit, a month": lambda: assessed("unit"),
        "assessment by street, a month, as of an instant": lambda: assessed("street", as_of),
        "assessment of the city, a month": lambda: assessed("city"),
        "hotspots by grid, a month": lambda: origin.hotspots(pool, month, "grid", None, None, 100),
        "hotspots by h3 cell, one category": lambda: origin.hotspots(pool, month, "h3", "01001", None, 100),
        "recurrences by grid, 30-day window": lambda: origin.recurrences(pool, month, "grid", 30, None, 100),
        "sources by street, a month": lambda: origin.sources(pool, month, "street", None, None),
        "trends per day, a month": lambda: origin.trends(pool, month, "day", None, None),
        "case search by number": lambda: origin.search(pool, "BN-0054321", None, 20),
        "one case's origin": lambda: origin.case_origin(pool, some_case, None, 20),
    }


async def p95s(pool: asyncpg.Pool) -> dict[str, float]:
    result = {}
    for name, view in views(pool).items():
        for _ in range(2):
            await view()
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            await view()
            times.append((time.perf_counter() - started) * 1000)
        result[name] = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
        print(f"{name}: p95 {result[name]:.1f} ms", flush=True)
    return result


async def measure_views(url: str) -> tuple[list[str], list[dict[str, object]]]:
    """A method line, the results' table rows and results.json entries."""
    pool, filled = await fill(url)
    try:
        measured = await p95s(pool)
    finally:
        await pool.close()
    method = (
        f"- Views: {CASES:,} cases ({2 * CASES:,} fact versions) written by SQL in {filled:.0f} s over 12 months;"
        f" each view asked {REPEATS} times after 2 warm-ups, p95 reported."
    )
    rows = [
        f"| p95 {name}, {CASES:,} cases | {ms:.1f} ms | < {TARGET_MS:.0f} ms | {'PASS' if ms < TARGET_MS else 'MISS'} |"
        for name, ms in measured.items()
    ]
    results: list[dict[str, object]] = [
        {
            "name": f"analytics: p95 {name}",
            "value": round(ms, 1),
            "unit": "ms",
            "compared_with": "target",
            "ratio": round(ms / TARGET_MS, 3),
        }
        for name, ms in measured.items()
    ]
    return [method, *rows], results
