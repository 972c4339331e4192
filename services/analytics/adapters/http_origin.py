"""问题溯源 over HTTP: where problems come from and come back, who finds them, trends, case search and origin."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from casekit.access.guard import Caller
from casekit.errors import NotFound
from services.analytics.adapters.deps import AnalyticsDep
from services.analytics.adapters.http_figures import CSV, AsOf, Format, From, To, csv_response, period
from services.analytics.adapters.views import origin
from services.analytics.application.context import Analytics

router = APIRouter(prefix="/v1", tags=["problem origin"])
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many rows")]
Category = Annotated[str | None, Query(pattern=r"^\d{5}$", description="Only this category (e.g. 01001)")]


def named(analytics: Analytics, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "name": analytics.name_of(row["code"])} for row in rows]


def answer(rows: list[dict[str, Any]], format: str, filename: str, **about: Any) -> Any:  # noqa: A002
    if format == "csv":
        return csv_response([{k: v for k, v in row.items() if k != "case_ids"} for row in rows], filename)
    return {**about, "rows": rows}


@router.get("/origin/hotspots", responses=CSV)
async def get_hotspots(
    analytics: AnalyticsDep,
    caller: Caller,
    from_: From,
    to: To,
    level: Literal["district", "street", "community", "grid", "h3"] = "grid",
    category: Category = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    format: Format = "json",  # noqa: A002
) -> Any:
    """热点: reports per area (or h3 cell) × category, with the change against the period before."""
    rows = await origin.hotspots(analytics.pool, period(analytics, from_, to), level, category, as_of, limit)
    return answer(named(analytics, rows), format, f"hotspots-{level}-{from_}-{to}.csv", level=level, as_of=as_of)


@router.get("/origin/recurrences", responses=CSV)
async def get_recurrences(
    analytics: AnalyticsDep,
    caller: Caller,
    from_: From,
    to: To,
    level: Literal["grid", "h3"] = "grid",
    window_days: Annotated[int, Query(ge=1, le=366)] = 30,
    as_of: AsOf = None,
    limit: Limit = 100,
    format: Format = "json",  # noqa: A002
) -> Any:
    """末端执法 → 源头治理: the same category at the same place again within the window, with its cases."""
    rows = await origin.recurrences(analytics.pool, period(analytics, from_, to), level, window_days, as_of, limit)
    return answer(
        named(analytics, rows),
        format,
        f"recurrences-{level}-{from_}-{to}.csv",
        level=level,
        window_days=window_days,
        as_of=as_of,
    )


@router.get("/origin/sources", responses=CSV)
async def get_sources(
    analytics: AnalyticsDep,
    caller: Caller,
    from_: From,
    to: To,
    level: Literal["city", "district", "street", "community", "grid"] = "district",
    code: Annotated[str | None, Query(max_length=40)] = None,
    as_of: AsOf = None,
    format: Format = "json",  # noqa: A002
) -> Any:
    """被动处置 → 主动发现: the share found by patrols and whistles against complaints, per area."""
    rows = await origin.sources(analytics.pool, period(analytics, from_, to), level, code, as_of)
    return answer(named(analytics, rows), format, f"sources-{level}-{from_}-{to}.csv", level=level, as_of=as_of)


@router.get("/trends", responses=CSV)
async def get_trends(
    analytics: AnalyticsDep,
    caller: Caller,
    from_: From,
    to: To,
    interval: Literal["day", "week", "month"] = "day",
    category: Category = None,
    as_of: AsOf = None,
    format: Format = "json",  # noqa: A002
) -> Any:
    """Cases reported and closed per day, week or month of the city's calendar."""
    rows = await origin.trends(analytics.pool, period(analytics, from_, to), interval, category, as_of)
    return answer(rows, format, f"trends-{interval}-{from_}-{to}.csv", interval=interval, as_of=as_of)


@router.get("/cases")
async def search_cases(
    analytics: AnalyticsDep,
    caller: Caller,
    q: Annotated[str, Query(min_length=1, max_length=64, description="A case number (or its start) or a case id")],
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return {"rows": await origin.search(analytics.pool, q.strip(), as_of, limit)}


@router.get("/cases/{case_id}/origin")
async def get_case_origin(
    case_id: UUID, analytics: AnalyticsDep, caller: Caller, as_of: AsOf = None, limit: Limit = 20
) -> dict[str, Any]:
    """One case's first report, its channel, who found it, and the earlier cases of its category at its grid."""
    case = await origin.case_origin(analytics.pool, case_id, as_of, limit)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return {**case, "as_of": as_of}
