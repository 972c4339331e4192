"""考核's SQL: per row of a level, the counts behind each figure (docs/assessment.md), over the case facts.

Two passes, each on an index: the cases due in the period (by their disposal deadline) and the
reports made in it (by their instant). Everything is counted from the version in force at `as_of`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import asyncpg

from casekit.eventstore import Connection
from services.analytics.adapters.views.fact_queries import LEVEL_COLUMNS, FactQuery, Level, Period
from services.analytics.domain.assessment import METHODS, STAGES, Tally

DUE = "voided_at IS NULL"
HOTLINE = f"{DUE} AND channel = 'hotline'"
DUE_COUNTS = {
    "due": DUE,
    "closed": f"{DUE} AND closed_at IS NOT NULL",
    "closed_on_time": f"{DUE} AND closed_at IS NOT NULL AND closure_kind = 'normal'",
    "due_to_dispose": f"{DUE} AND NOT coalesce(self_disposed, false)",
    "disposed_on_time": f"{DUE} AND NOT coalesce(self_disposed, false) AND disposed_at IS NOT NULL"
    " AND NOT disposal_late",
    "reworked": f"{DUE} AND rework_count > 0",
    "due_to_verify": f"{DUE} AND verification_due_at IS NOT NULL",
    "verified_on_time": f"{DUE} AND verification_due_at IS NOT NULL AND verified_at IS NOT NULL"
    " AND NOT verification_late",
    "hotline_due": HOTLINE,
    "hotline_signed_on_time": f"{HOTLINE} AND signed_for_at IS NOT NULL AND NOT sign_for_late",
    "hotline_asked_solved": f"{HOTLINE} AND callback_solved IS NOT NULL",
    "hotline_solved": f"{HOTLINE} AND callback_solved = 'solved'",
    "hotline_due_to_reply": f"{HOTLINE} AND reply_due_at IS NOT NULL",
    "hotline_urged": f"{HOTLINE} AND urges > 0",
    "hotline_replied_on_time": f"{HOTLINE} AND reply_due_at IS NOT NULL AND replied_at IS NOT NULL AND NOT reply_late",
    "hotline_reached": f"{HOTLINE} AND callback_result IN ('satisfied', 'basically_satisfied', 'unsatisfied')",
    "hotline_satisfied": f"{HOTLINE} AND callback_result IN ('satisfied', 'basically_satisfied')",
}
REPORT_COUNTS = {
    "reports": "true",
    "self_disposed": "coalesce(self_disposed, false)",
    "valid_reports": "voided_at IS NULL",
    "due_to_confirm": "confirmation_due_at IS NOT NULL",
    "confirmed_on_time": "confirmation_due_at IS NOT NULL AND confirmed_at IS NOT NULL AND NOT confirmation_late",
}
STAGE_SPANS = {
    "sign_for": ("routed_at", "signed_for_at"),
    "disposal": ("coalesce(signed_for_at, routed_at)", "disposed_at"),
    "verification": ("disposed_at", "verified_at"),
    "close": ("reported_at", "closed_at"),
}
assert set(STAGE_SPANS) == set(STAGES)


def _hours(start: str, end: str) -> str:
    return f"avg(extract(epoch FROM {end} - {start}) / 3600) FILTER (WHERE {DUE} AND {end} IS NOT NULL)"


def _select(level: Level, code: str | None, query: FactQuery, anchor: str, period: Period, outputs: list[str]) -> str:
    column = LEVEL_COLUMNS[level]
    where = [query.in_force(), query.within(anchor, period), f"{column} IS NOT NULL"]
    if code is not None:
        where.append(f"{column} = {query.param(code)}")
    return f"SELECT {column} AS code, {', '.join(outputs)} FROM case_facts WHERE {' AND '.join(where)} GROUP BY 1"


async def tallies(
    db: asyncpg.Pool | Connection, period: Period, level: Level, code: str | None, as_of: datetime | None
) -> list[Tally]:
    """The counts of every row of `level` (or the one row `code`) with anything due or reported in the period."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys([*DUE_COUNTS, *REPORT_COUNTS], 0))
    hours: dict[str, dict[str, float | None]] = defaultdict(lambda: dict.fromkeys(STAGES))
    methods: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METHODS, 0))

    due = FactQuery(as_of)
    outputs = [f"count(*) FILTER (WHERE {cond})" for cond in DUE_COUNTS.values()]
    outputs += [_hours(*STAGE_SPANS[stage]) for stage in STAGES]
    outputs += [f"count(*) FILTER (WHERE {DUE} AND disposal_method = '{method}')" for method in METHODS]
    for row in await db.fetch(_select(level, code, due, "close_due_at", period, outputs), *due.params):
        values = list(row.values())[1:]
        counts[row["code"]].update(zip(DUE_COUNTS, values[: len(DUE_COUNTS)], strict=True))
        stage_values = values[len(DUE_COUNTS) : len(DUE_COUNTS) + len(STAGES)]
        hours[row["code"]].update(
            {s: None if v is None else round(float(v), 2) for s, v in zip(STAGES, stage_values, strict=True)}
        )
        methods[row["code"]].update(zip(METHODS, values[len(DUE_COUNTS) + len(STAGES) :], strict=True))

    reports = FactQuery(as_of)
    outputs = [f"count(*) FILTER (WHERE {cond})" for cond in REPORT_COUNTS.values()]
    for row in await db.fetch(_select(level, code, reports, "reported_at", period, outputs), *reports.params):
        counts[row["code"]].update(zip(REPORT_COUNTS, list(row.values())[1:], strict=True))
    return [Tally(code, counts[code], hours[code], methods[code]) for code in sorted(counts)]
