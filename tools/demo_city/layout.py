"""Synthetic, illustrative geometry for the demo city: nested rectangles, never real boundaries.

Each district gets a rectangle over its real extent, each street a rectangle inside its district,
each community one inside its street, each unit grid one inside its community. Rectangles are
cut row by row from the north-west with areas in proportion to a weight, so siblings never overlap
and together fill their parent exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

Box = tuple[float, float, float, float]
"""(west, south, east, north) in WGS-84 degrees."""

# The east edge of 泉山区 (west strip) against 鼓楼区 (north-east) and 云龙区 (south-east). Chosen so that every
# demo point falls in the same district here as in the real (AMap) outlines; generate.py checks that it does.
WEST_EAST_CUT_LON = 117.187


def district_boxes(extents: Mapping[str, Box], west_code: str, north_code: str, south_code: str) -> dict[str, Box]:
    """Lay three districts over the union of their real extents: one west strip, then north-east and south-east.

    The north-east district keeps its own real southern edge, so the split follows the real map.
    """
    west = min(box[0] for box in extents.values())
    south = min(box[1] for box in extents.values())
    east = max(box[2] for box in extents.values())
    north = max(box[3] for box in extents.values())
    cut_lat = extents[north_code][1]
    cut_lon = WEST_EAST_CUT_LON
    return {
        west_code: (west, south, cut_lon, north),
        north_code: (cut_lon, cut_lat, east, north),
        south_code: (cut_lon, south, east, cut_lat),
    }


def tile(box: Box, weights: Sequence[int]) -> list[Box]:
    """Split `box` into len(weights) rectangles, in reading order, each with area in proportion to its weight."""
    if not weights or min(weights) <= 0:
        raise ValueError(f"weights must be positive: {weights}")
    west, south, east, north = box
    width = (east - west) * math.cos(math.radians((south + north) / 2))
    height = north - south
    rows = min(len(weights), max(1, round(math.sqrt(len(weights) * height / width))))
    groups = _rows(weights, rows)
    total = sum(weights)
    lat_edges = _edges(north, south, [sum(group) for group in groups], total)
    tiles: list[Box] = []
    for (top, bottom), group in zip(lat_edges, groups, strict=True):
        for left, right in _edges(west, east, group, sum(group)):
            tiles.append((left, bottom, right, top))
    return tiles


def round_box(box: Box, places: int = 6) -> Box:
    """Round every edge alike: rounding is monotone, so rounded children still lie within their rounded parent."""
    west, south, east, north = (round(value, places) for value in box)
    return (west, south, east, north)


def _rows(weights: Sequence[int], rows: int) -> list[list[int]]:
    """Cut the weights, in order, into `rows` non-empty runs with sums as equal as the order allows."""
    total = sum(weights)
    cuts: list[int] = []
    start = 0
    for row in range(1, rows):
        target = total * row / rows
        last_allowed = len(weights) - (rows - row)
        best = min(range(start + 1, last_allowed + 1), key=lambda end: abs(sum(weights[:end]) - target))
        cuts.append(best)
        start = best
    bounds = [0, *cuts, len(weights)]
    return [list(weights[a:b]) for a, b in itertools.pairwise(bounds)]


def _edges(start: float, stop: float, weights: Sequence[int], total: int) -> list[tuple[float, float]]:
    """Consecutive (from, to) pairs from `start` to `stop` in proportion to weights; the ends are exact."""
    points = [start]
    running = 0
    for weight in weights[:-1]:
        running += weight
        points.append(start + (stop - start) * running / total)
    points.append(stop)
    return list(itertools.pairwise(points))
