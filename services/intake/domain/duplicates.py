"""并单: is a new report the same problem as an open case nearby?"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.intake.domain.report import Duplicate

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class DuplicatePolicy:
    """Same category, within `distance_m` and `window` of an open case (a city setting)."""

    distance_m: float = 50.0
    window: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    category_code: str
    lat: float
    lon: float
    received_at: datetime


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); metres are all that matter at a street's scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def find_duplicate(
    candidates: list[OpenCase], category_code: str, lat: float, lon: float, at: datetime, policy: DuplicatePolicy
) -> Duplicate | None:
    """The nearest open case of the same category inside the window, if any."""
    best: Duplicate | None = None
    for case in candidates:
        if case.category_code != category_code or at - case.received_at > policy.window:
            continue
        distance = distance_m(lat, lon, case.lat, case.lon)
        if distance <= policy.distance_m and (best is None or distance < best.distance_m):
            best = Duplicate(case.case_id, distance)
    return best


def search_box(lat: float, policy: DuplicatePolicy) -> tuple[float, float]:
    """Half-sides (degrees of lat, lon) of a box that holds every point within the distance."""
    dlat = math.degrees(policy.distance_m / EARTH_RADIUS_M)
    return dlat, dlat / max(math.cos(math.radians(lat)), 1e-6)
