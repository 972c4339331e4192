"""What a patrol's track shows (轨迹): its distance, and the time and distance spent in each grid on each city day.

Pure. The points are sorted by time. Each stretch between two consecutive points counts for the
grid of the earlier point (where the officer was when it began); a stretch across the city's
local midnight is split there, in proportion to time, so a patrol across midnight visits its
grids on two days. A point outside every grid adds distance to the patrol and to no grid.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import h3

from schemas.patrol import GridVisit, TrackPoint


@dataclass(frozen=True)
class TrackSummary:
    metres: float
    visits: tuple[GridVisit, ...]


@dataclass
class _Visit:
    first_at: datetime
    last_at: datetime
    seconds: float = 0
    metres: float = 0
    points: int = 0

    def span(self, start: datetime, end: datetime) -> None:
        self.first_at, self.last_at = min(self.first_at, start), max(self.last_at, end)


@dataclass
class _Visits:
    by_key: dict[tuple[date, str], _Visit] = field(default_factory=dict)

    def at(self, day: date, grid: str, start: datetime, end: datetime) -> _Visit:
        visit = self.by_key.setdefault((day, grid), _Visit(start, end))
        visit.span(start, end)
        return visit


def metres_between(a: TrackPoint, b: TrackPoint) -> float:
    """Great-circle distance (h3's haversine on the mean Earth radius)."""
    return float(h3.great_circle_distance((a.lat, a.lon), (b.lat, b.lon), unit="m"))


def day_pieces(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[tuple[date, datetime, datetime]]:
    """[start, end] cut at each local midnight of `zone`: (city day, from, to) for each piece."""
    while True:
        day = start.astimezone(zone).date()
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(start.tzinfo)
        if end <= midnight:
            yield day, start, end
            return
        yield day, start, midnight
        start = midnight


def summarise(points: Sequence[TrackPoint], zone: ZoneInfo) -> TrackSummary:
    """Distance along the (time-sorted) points, and the visits per (city day, grid)."""
    visits = _Visits()
    total = 0.0
    for point in points:
        if point.grid_code is not None:
            visits.at(point.at.astimezone(zone).date(), point.grid_code, point.at, point.at).points += 1
    for a, b in itertools.pairwise(points):
        metres = metres_between(a, b)
        total += metres
        if a.grid_code is None:
            continue
        span = (b.at - a.at).total_seconds()
        for day, start, end in day_pieces(a.at, b.at, zone):
            seconds = (end - start).total_seconds()
            visit = visits.at(day, a.grid_code, start, end)
            visit.seconds += seconds
            visit.metres += metres * (seconds / span) if span > 0 else metres
    ordered = sorted(visits.by_key.items(), key=lambda item: (item[0][0], item[1].first_at, item[0][1]))
    return TrackSummary(
        metres=round(total, 1),
        visits=tuple(
            GridVisit(
                day=day,
                grid_code=grid,
                seconds=round(visit.seconds, 3),
                metres=round(visit.metres, 1),
                points=visit.points,
                first_at=visit.first_at,
                last_at=visit.last_at,
            )
            for (day, grid), visit in ordered
        ),
    )
