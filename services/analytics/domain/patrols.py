"""巡查覆盖 and 队员考核: a grid's coverage over a day or a week, and an officer's monthly figures (Xuzhou
style), each with its numerator and denominator (docs/assessment.md, Officers).

Pure: the views give the patrolled grid-days, the reports and the assignments; this decides what counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.analytics.domain.assessment import Figure, ratio

FINDINGS = ("fixed_on_spot", "own_powers", "handed_over")
"""The three outcomes of a finding: 当场处置, 权限内自行处理, 交办."""
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def days_of(day: date | None, week: str | None, today: date) -> tuple[date, date]:
    """The first and last city day asked for: one day, an ISO week `YYYY-Www` (Monday to Sunday), or
    neither: the city's today, as a supervisor opening the page expects."""
    if day is not None and week is not None:
        raise ValueError("give either day=YYYY-MM-DD or week=YYYY-Www, not both")
    if week is None:
        return (day or today), (day or today)
    match = WEEK.match(week)
    if match is None:
        raise ValueError("week is YYYY-Www, e.g. 2026-W49")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as error:
        raise ValueError(f"no such ISO week: {week}") from error
    return monday, monday + timedelta(days=6)


def month_of(month: str) -> tuple[date, date]:
    """`YYYY-MM` to its first and last day."""
    match = re.match(r"^(\d{4})-(\d{2})$", month)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError("month is YYYY-MM, e.g. 2026-12")
    try:
        first = date(int(match[1]), int(match[2]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError as error:
        raise ValueError(f"no such month: {month}") from error
    return first, following - timedelta(days=1)


@dataclass(frozen=True)
class Patrolled:
    """A grid's patrols over the period: time, distance, how many patrols and on how many days."""

    seconds: float = 0.0
    metres: float = 0.0
    patrols: int = 0
    days: int = 0
    officers: tuple[str, ...] = ()
    """Who led the patrols (their subjects)."""


@dataclass(frozen=True)
class Found:
    """问题发现: grid reports with a finding, by outcome."""

    fixed_on_spot: int = 0
    own_powers: int = 0
    handed_over: int = 0

    @property
    def found(self) -> int:
        return self.fixed_on_spot + self.own_powers + self.handed_over


@dataclass(frozen=True)
class GridCoverage:
    grid_code: str
    patrolled: Patrolled
    found: Found
    flagged: bool


def coverage(
    grids: Iterable[str], patrolled: Mapping[str, Patrolled], found: Mapping[str, Found], flagged: Iterable[str]
) -> list[GridCoverage]:
    """Every grid asked for, patrolled or not, in code order."""
    open_flags = set(flagged)
    return [
        GridCoverage(grid, patrolled.get(grid, Patrolled()), found.get(grid, Found()), grid in open_flags)
        for grid in sorted(grids)
    ]


@dataclass(frozen=True)
class Assignment:
    """定人定岗: an officer, their unit and brigade (中队), and the grids they are fixed to."""

    officer: str
    unit_code: str | None
    brigade_code: str | None
    grids: frozenset[str]
    name: str | None = None
    """The officer's name where duty.yaml gives it (a roster read from patrols knows only the subject)."""


@dataclass(frozen=True)
class MonthReport:
    """A report of the month as the officers' figures see it."""

    channel: str
    grid_code: str | None
    reporter: str | None
    finding: str | None


@dataclass(frozen=True)
class OfficerMonth:
    code: str
    """The officer's subject, or the brigade's code."""
    figures: dict[str, Figure]
    officers: list[str] = field(default_factory=list)


OFFICER_FIGURES: Mapping[str, tuple[str, str]] = {
    "found": ("发现数字案件数", "digital cases found"),
    "hotline_complaints": ("12345投诉数", "hotline complaints in the grids"),
    "self_disposal_rate": ("自处率", "self-disposal rate"),
    "coverage": ("覆盖率", "coverage"),
}


def _figures(found: int, fixed: int, hotline: int, grid_days: int, owed_grid_days: int) -> dict[str, Figure]:
    parts = {
        "found": (found, 1),  # a count: the denominator is the one officer (or brigade)
        "hotline_complaints": (hotline, 1),
        "self_disposal_rate": (fixed, found),
        "coverage": (grid_days, owed_grid_days),
    }
    return {
        key: Figure(OFFICER_FIGURES[key][0], OFFICER_FIGURES[key][1], num, den, ratio(num, den))
        for key, (num, den) in parts.items()
    }


def officer_months(
    assignments: Sequence[Assignment],
    days: int,
    patrolled: Mapping[str, set[tuple[date, str]]],
    reports: Sequence[MonthReport],
) -> tuple[list[OfficerMonth], list[OfficerMonth]]:
    """Each officer's month and each brigade's (its officers summed; its 12345 complaints are those in
    the union of their grids, so a grid two officers share counts once).

    `patrolled`: per officer, the (day, grid) pairs their patrols (theirs, or a team's they were on) visited."""
    hotline_grids = [r.grid_code for r in reports if r.channel == "hotline" and r.grid_code is not None]
    officers = []
    for a in sorted(assignments, key=lambda a: a.officer):
        mine = [r for r in reports if r.channel == "grid" and r.reporter == a.officer]
        covered = {(day, grid) for day, grid in patrolled.get(a.officer, set()) if grid in a.grids}
        officers.append(
            OfficerMonth(
                a.officer,
                _figures(
                    len(mine),
                    sum(r.finding == "fixed_on_spot" for r in mine),
                    sum(grid in a.grids for grid in hotline_grids),
                    len(covered),
                    len(a.grids) * days,
                ),
            )
        )
    by_officer = {o.code: o for o in officers}
    brigades = []
    for brigade in sorted({a.brigade_code for a in assignments if a.brigade_code is not None}):
        members = [a for a in assignments if a.brigade_code == brigade]
        grids = frozenset().union(*(a.grids for a in members))
        total = {
            key: sum(by_officer[a.officer].figures[key].numerator for a in members)
            for key in ("found", "self_disposal_rate", "coverage")
        }
        owed = sum(by_officer[a.officer].figures["coverage"].denominator for a in members)
        hotline = sum(grid in grids for grid in hotline_grids)
        brigades.append(
            OfficerMonth(
                brigade,
                _figures(total["found"], total["self_disposal_rate"], hotline, total["coverage"], owed),
                sorted(a.officer for a in members),
            )
        )
    return officers, brigades
