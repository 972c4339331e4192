"""考核: the assessment figures cities rank units and areas by, each with its numerator and denominator.

The formulas are docs/assessment.md's (after the cities' published practice): every rate is a share of the
cases due; a voided case (作废) is never due. The unit score is a vendor's: cases 10 % + close rate
30 % + on-time disposal rate 30 % + (1 − rework rate) 30 %, graded A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40,
else E; the cases part is the row's cases due against the most any row of the same ranking has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FIGURES: Mapping[str, tuple[str, str, str, str]] = {
    # key: (中文, English, numerator, denominator) — the counts' names in Tally
    "close_rate": ("结案率", "close rate", "closed", "due"),
    "on_time_close_rate": ("按期结案率", "on-time close rate", "closed_on_time", "due"),
    "on_time_disposal_rate": ("按期处置率", "on-time disposal rate", "disposed_on_time", "due_to_dispose"),
    "rework_rate": ("返工率", "rework rate", "reworked", "due"),
    "self_disposal_rate": ("自行处置率", "self-disposal rate", "self_disposed", "reports"),
    "valid_report_rate": ("有效上报率", "valid-report rate", "valid_reports", "reports"),
    "on_time_confirmation_rate": ("按时核实率", "on-time confirmation rate", "confirmed_on_time", "due_to_confirm"),
    "on_time_verification_rate": ("按时核查率", "on-time verification rate", "verified_on_time", "due_to_verify"),
    "hotline_response_rate": ("响应率", "hotline response rate", "hotline_signed_on_time", "hotline_due"),
    "hotline_resolution_rate": ("解决率", "hotline resolution rate", "hotline_solved", "hotline_asked_solved"),
    "hotline_satisfaction_rate": ("满意率", "hotline satisfaction rate", "hotline_satisfied", "hotline_reached"),
    "hotline_urge_rate": ("催办率", "hotline urge rate", "hotline_urged", "hotline_due"),
    "hotline_on_time_reply_rate": (
        "按时回复率",
        "hotline on-time reply rate",
        "hotline_replied_on_time",
        "hotline_due_to_reply",
    ),
}
COUNTS = tuple(dict.fromkeys(name for _, _, num, den in FIGURES.values() for name in (den, num)))
STAGES = ("sign_for", "disposal", "verification", "close")
METHODS = ("service", "management", "enforcement")
"""The "721" mix: 服务 70 %, 管理 20 %, 执法 10 % is the practice cities aim at."""
GRADES = ((90.0, "A"), (75.0, "B"), (60.0, "C"), (40.0, "D"))


@dataclass(frozen=True)
class Tally:
    """One row's counts (the names in COUNTS), average hours per stage and disposal methods."""

    code: str
    counts: Mapping[str, int]
    average_hours: Mapping[str, float | None]
    methods: Mapping[str, int]


@dataclass(frozen=True)
class Figure:
    label_zh: str
    label_en: str
    numerator: int
    denominator: int
    value: float | None
    """numerator / denominator, rounded to 4 places; None when nothing was due."""


@dataclass(frozen=True)
class Assessed:
    code: str
    figures: dict[str, Figure]
    score: float | None
    grade: str | None
    rank: int | None
    tally: Tally


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def figures_of(tally: Tally) -> dict[str, Figure]:
    due = tally.counts["due"]
    result = {"due": Figure("应结案数", "cases due to close", due, due, ratio(due, due))}
    for key, (zh, en, numerator, denominator) in FIGURES.items():
        num, den = tally.counts[numerator], tally.counts[denominator]
        result[key] = Figure(zh, en, num, den, ratio(num, den))
    return result


def score_of(figures: Mapping[str, Figure], most_due: int) -> float | None:
    """The unit score out of 100; None for a row with nothing due (it is not ranked)."""
    due = figures["due"].numerator
    if not due or most_due <= 0:
        return None
    close = figures["close_rate"].value or 0.0
    disposal = figures["on_time_disposal_rate"].value
    rework = figures["rework_rate"].value or 0.0
    disposal_part = 1.0 if disposal is None else disposal  # nothing to dispose (self-disposals only): not a fault
    return round(100 * (0.1 * due / most_due + 0.3 * close + 0.3 * disposal_part + 0.3 * (1 - rework)), 2)


def grade_of(score: float | None) -> str | None:
    if score is None:
        return None
    return next((grade for floor, grade in GRADES if score >= floor), "E")


def assess(tallies: Sequence[Tally]) -> list[Assessed]:
    """Every row's figures, score and grade, ranked by score (ties share a rank; unscored rows last)."""
    most_due = max((t.counts["due"] for t in tallies), default=0)
    rows = []
    for tally in tallies:
        figures = figures_of(tally)
        score = score_of(figures, most_due)
        rows.append(Assessed(tally.code, figures, score, grade_of(score), None, tally))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0.0), r.code))
    ranked, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        if row.score is not None and row.score != previous:
            rank, previous = position, row.score
        ranked.append(
            Assessed(row.code, row.figures, row.score, row.grade, rank if row.score is not None else None, row.tally)
        )
    return ranked
