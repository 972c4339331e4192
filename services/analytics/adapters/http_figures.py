"""Analytics' figures over HTTP: the assessment (考核) and the problem-origin views (问题溯源), JSON or CSV.

Every view takes `as_of=<instant>` and answers from the events recorded up to then; periods are
the city's calendar days (`from`, `to` both included), answered as instants at the edges.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from casekit.access.guard import Caller
from casekit.errors import InvalidInput
from services.analytics.adapters.deps import AnalyticsDep
from services.analytics.adapters.views import assessment as assessment_view
from services.analytics.adapters.views.fact_queries import Level, Period
from services.analytics.application.context import Analytics
from services.analytics.domain.assessment import Assessed, assess

router = APIRouter(prefix="/v1", tags=["figures"])
ROUTERS = [router]

From = Annotated[date, Query(alias="from", description="The first day, in the city's calendar (YYYY-MM-DD)")]
To = Annotated[date, Query(description="The last day, included")]


def _plausible(instant: datetime | None) -> datetime | None:
    if instant is not None and not 1900 <= instant.year <= 9000:
        raise ValueError("as_of must be an instant between the years 1900 and 9000")
    return instant


AsOf = Annotated[
    AwareDatetime | None,
    AfterValidator(_plausible),
    Query(description="Answer from the events recorded up to this instant (ISO 8601 with an offset)"),
]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or with format=csv a table"}
}
"""What a route with `format=csv` documents beside its JSON (the HTTP fuzzer checks answers against it)."""
Format = Annotated[Literal["json", "csv"], Query(description="csv: the same rows as a table")]


def period(analytics: Analytics, first: date, last: date) -> Period:
    try:
        return Period(first, last, analytics.city.timezone).checked()
    except ValueError as error:
        raise InvalidInput(str(error)) from error


class FigureOut(BaseModel):
    """One figure with what it is a share of: 结案率 911 / 972."""

    label_zh: str
    label_en: str
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when the denominator is 0")


class AssessmentRow(BaseModel):
    code: str
    name: str
    rank: int | None = Field(description="By score, 1 the best; null when nothing was due")
    score: float | None
    grade: str | None = Field(description="A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E")
    figures: dict[str, FigureOut]
    average_hours: dict[str, float | None] = Field(description="Clock hours per stage, over the cases due")
    disposal_methods: dict[str, int] = Field(description='服务/管理/执法 (the "721" mix) of the cases due')


class AssessmentOut(BaseModel):
    """考核: one row per unit or area of the level, ranked."""

    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    level: Level
    as_of: datetime | None
    rows: list[AssessmentRow]


def _row(analytics: Analytics, assessed: Assessed) -> AssessmentRow:
    return AssessmentRow(
        code=assessed.code,
        name=analytics.name_of(assessed.code),
        rank=assessed.rank,
        score=assessed.score,
        grade=assessed.grade,
        figures={key: FigureOut(**vars(figure)) for key, figure in assessed.figures.items()},
        average_hours=dict(assessed.tally.average_hours),
        disposal_methods=dict(assessed.tally.methods),
    )


@router.get("/assessment", response_model=AssessmentOut, response_model_by_alias=True, responses=CSV)
async def get_assessment(
    analytics: AnalyticsDep,
    caller: Caller,
    from_: From,
    to: To,
    level: Level = "unit",
    code: Annotated[str | None, Query(max_length=40)] = None,
    as_of: AsOf = None,
    format: Format = "json",  # noqa: A002 (the query parameter's name)
) -> Any:
    """考核 by unit, community, street, district or the whole city, for any range of days."""
    tallies = await assessment_view.tallies(analytics.pool, period(analytics, from_, to), level, code, as_of)
    result = AssessmentOut(
        from_=from_, to=to, level=level, as_of=as_of, rows=[_row(analytics, row) for row in assess(tallies)]
    )
    if format == "csv":
        return csv_response(_assessment_table(result), f"assessment-{level}-{from_}-{to}.csv")
    return result


def _assessment_table(result: AssessmentOut) -> list[dict[str, Any]]:
    table = []
    for row in result.rows:
        line: dict[str, Any] = {
            "rank 排名": row.rank,
            "code 编码": row.code,
            "name 名称": row.name,
            "score 得分": row.score,
            "grade 等级": row.grade,
        }
        for figure in row.figures.values():
            label = f"{figure.label_en} {figure.label_zh}"
            line[label], line[f"{label} numerator"], line[f"{label} denominator"] = (
                figure.value,
                figure.numerator,
                figure.denominator,
            )
        table.append(line)
    return table


def csv_response(rows: list[dict[str, Any]], filename: str) -> Response:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # A BOM so that spreadsheet programs read the Chinese labels as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
