"""落点查询 (point lookup): which district, street, community and unit grid a WGS-84 point falls in.

Two indexes with one meaning. `ExactIndex` is plain shapely containment, one STRtree per level: the
reference. `CellIndex` answers the same questions from h3 cells precomputed over the city (see
docs/routing.md, "Point index"): a cell all of whose points have one answer maps straight to it, a
cell on a border keeps the few polygons its points may fall in and tests them exactly.

The meaning both keep: the district under the point, then the street under that district, the
community under that street, the grid under that community; a point on a shared edge belongs to
the lowest code among the polygons it touches (so the answer is deterministic and one consistent
chain of parents); outside every district there is no place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import shapely
from h3.api import basic_int as h3
from numpy.typing import NDArray
from shapely import STRtree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from cityconfig.h3cells import (
    EARTH_RADIUS_M,
    LEVELS_ABOVE_FINEST,
    Boundaries,
    choose_resolution,
    covering_cells,
    distinct,
    grown_rings,
    member,
    parents,
)
from cityconfig.jurisdictions import LEVELS, Jurisdiction, Level, Place

Chain = tuple[str | None, str | None, str | None, str | None]
"""(district, street, community, grid): the order the lookup descends."""
Pure = NDArray[np.bool_]
"""Per test polygon: whether every point of it has the same answer."""
Singles = NDArray[np.int64]
"""Per test polygon and level (district first): the one jurisdiction meeting it, or -1."""
Pairs = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]
"""(test polygon, jurisdiction, whether the jurisdiction covers the polygon), one row per meeting."""


class ExactIndex:
    """The reference lookup: each level searched with an STRtree, only under the level found above."""

    def __init__(self, jurisdictions: Mapping[str, Jurisdiction]) -> None:
        self._jurisdictions = jurisdictions
        self._codes: dict[Level, list[str]] = {}
        self._trees: dict[Level, STRtree] = {}
        for level in LEVELS:
            codes = sorted(code for code, j in jurisdictions.items() if j.level == level)
            self._codes[level] = codes
            self._trees[level] = STRtree([jurisdictions[code].geometry for code in codes])

    def locate(self, lon: float, lat: float) -> Place | None:
        """The place under (lon, lat), or None outside every district."""
        point = Point(lon, lat)
        district = self._covering("district", point, None)
        if district is None:
            return None
        street = self._covering("street", point, district)
        community = self._covering("community", point, street) if street else None
        grid = self._covering("grid", point, community) if community else None
        return Place(grid_code=grid, community_code=community, street_code=street, district_code=district)

    def _covering(self, level: Level, point: Point, parent: str | None) -> str | None:
        # "intersects" so a point on a shared edge still counts; the lowest code wins such a tie,
        # and searching only under the parent found above keeps the answer one consistent chain.
        codes = self._codes[level]
        hits = (codes[int(i)] for i in self._trees[level].query(point, predicate="intersects"))
        return min((code for code in hits if self._jurisdictions[code].parent == parent), default=None)


class _Places:
    """One shared Place per chain of codes, so pure cells and border answers allocate nothing."""

    def __init__(self) -> None:
        self._known: dict[Chain, Place] = {}

    def of(self, chain: Chain) -> Place | None:
        if chain[0] is None:
            return None
        place = self._known.get(chain)
        if place is None:
            place = Place(grid_code=chain[3], community_code=chain[2], street_code=chain[1], district_code=chain[0])
            self._known[chain] = place
        return place


# A candidate polygon of a border cell: its code, its parent's code, and its geometry, or None when the
# polygon covers the whole (grown) cell so any point of the cell is in it without a test.
Candidate = tuple[str, str | None, BaseGeometry | None]


class _Border:
    """边界格: an h3 cell more than one answer may fall in: the chain fixed for all its points (`prefix`,
    down to depth `start`), then per further level the candidates, lowest code first."""

    __slots__ = ("levels", "places", "prefix", "start")

    def __init__(self, places: _Places, prefix: list[str | None], start: int, levels: list[list[Candidate]]) -> None:
        self.places = places
        self.prefix = prefix
        self.start = start
        self.levels = levels

    def resolve(self, lon: float, lat: float) -> Place | None:
        # ExactIndex's walk over a superset of the point's polygons: the first (lowest) code under
        # the parent found so far that holds the point is the answer at that level.
        chain = self.prefix.copy()
        parent = chain[self.start - 1] if self.start else None
        for depth, candidates in enumerate(self.levels, self.start):
            found = None
            for code, candidate_parent, geometry in candidates:
                if candidate_parent == parent and (geometry is None or _intersects_xy(geometry, lon, lat)):
                    found = code
                    break
            if found is None:
                break
            chain[depth] = parent = found
        return self.places.of((chain[0], chain[1], chain[2], chain[3]))


# shapely.intersects_xy less its wrapper, which re-prepares the geometry on every call (0.8 us of 2.2):
# the candidates are prepared once, when the index is built.
_intersects_xy = shapely.lib.intersects_xy

_NOWHERE = object()
"""A pure cell outside every district (a dictionary value, since None means "not indexed")."""


class CellIndex:
    """h3 单元索引: the same answers as ExactIndex, from one dictionary of h3 cells.

    One `latlng_to_cell` and one dictionary look-up answer a point in a pure cell; a border cell adds
    an exact test of its few candidates. A point in no indexed cell (outside the districts' bounding
    box, or beyond the cells laid over it) takes the exact path.
    """

    def __init__(self, jurisdictions: Mapping[str, Jurisdiction], exact: ExactIndex | None = None) -> None:
        self.exact = exact or ExactIndex(jurisdictions)
        self._places = _Places()
        self._table: dict[int, object] = {}
        ordered = sorted(jurisdictions.values(), key=lambda j: (LEVELS.index(j.level), j.code))
        districts = [j.geometry for j in ordered if j.level == "district"]
        self.bounds = tuple(float(v) for v in shapely.total_bounds(districts)) if districts else (math.nan,) * 4
        self.resolution = 0
        if not districts:
            return
        self._jurisdictions = ordered
        self._geometries = np.array([j.geometry for j in ordered], dtype=object)
        shapely.prepare(self._geometries)
        self._depths = [LEVELS.index(j.level) for j in ordered]
        self._whole: list[Candidate] = [(j.code, j.parent, None) for j in ordered]
        self._part: list[Candidate] = [(j.code, j.parent, j.geometry) for j in ordered]
        self._depth = np.array(self._depths, dtype=np.int64)
        self.resolution = choose_resolution(ordered, self.bounds)
        piece_m = 4 * h3.average_hexagon_edge_length(self.resolution, "m")
        self._boundaries = Boundaries(self._geometries, math.degrees(piece_m / EARTH_RADIUS_M))
        try:
            self._build()
        except ValueError:  # h3 cells across the antimeridian: no table, every point takes the exact path
            self._table = {}

    def locate(self, lon: float, lat: float) -> Place | None:
        """The place under (lon, lat), or None outside every district (exactly ExactIndex's answer)."""
        west, south, east, north = self.bounds
        if not (west <= lon <= east and south <= lat <= north):
            return None  # outside every district's bounding box (NaN too): no polygon can hold it
        entry = self._table.get(h3.latlng_to_cell(lat, lon, self.resolution))
        if entry.__class__ is Place:
            return entry
        if entry is _NOWHERE:
            return None
        if entry is None:
            return self.exact.locate(lon, lat)
        return cast(_Border, entry).resolve(lon, lat)  # the only other kind of entry

    def stats(self) -> dict[str, int]:
        """The resolution, indexed cells, border cells and distinct borders, for the bench and the docs."""
        borders = [e for e in self._table.values() if isinstance(e, _Border)]
        return {
            "resolution": self.resolution,
            "cells": len(self._table),
            "border_cells": len(borders),
            "distinct_borders": len({id(e) for e in borders}),
        }

    def _build(self) -> None:
        finest = self.resolution
        cells = covering_cells(self.bounds, finest)
        rings, centres = grown_rings(cells)
        lows, highs = rings.min(axis=1), rings.max(axis=1)
        answers = np.full(len(cells), -1, dtype=np.int64)  # index into `kinds`, -1 while undecided
        kinds: list[object] = []
        # Coarse to fine: a parent is tested as the box around its finest descendants' grown rings (h3
        # children are not inside their parent's outline, this box is); pure, it answers for all of them.
        for resolution in range(max(0, finest - LEVELS_ABOVE_FINEST), finest):
            undecided = np.flatnonzero(answers < 0)
            if not len(undecided):
                break
            family = parents(cells[undecided], resolution)
            starts = np.flatnonzero(np.diff(family, prepend=family[:1] + np.uint64(1)) != 0)  # sorted: siblings adjoin
            low, high = np.minimum.reduceat(lows[undecided], starts), np.maximum.reduceat(highs[undecided], starts)
            boxes = cast(NDArray[np.object_], shapely.box(*low.T, *high.T))
            pure, single, _ = self._test(boxes, (low + high) / 2)
            answer = np.full(len(starts), -1, dtype=np.int64)
            answer[pure] = self._answer_ids(single[pure], kinds)
            answers[undecided] = np.repeat(answer, np.diff(np.append(starts, len(undecided))))
        undecided = np.flatnonzero(answers < 0)
        hexagons = cast(NDArray[np.object_], shapely.polygons(rings[undecided]))
        pure, single, pairs = self._test(hexagons, centres[undecided])
        answers[undecided[pure]] = self._answer_ids(single[pure], kinds)
        decided = answers >= 0
        self._table = dict(zip(cells[decided].tolist(), [kinds[i] for i in answers[decided].tolist()], strict=True))
        self._table.update(self._borders(cells[undecided], ~pure, pairs))

    def _test(
        self, polygons: NDArray[np.object_], inside: NDArray[np.float64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.int64], Pairs]:
        """Which test polygons are pure; for those, the one jurisdiction (or -1) per level; and every meeting.

        A polygon no jurisdiction's boundary crosses lies wholly inside or wholly outside each of them,
        so one point of it (`inside`, one row per polygon) tells which hold it: two cheap bulk queries
        (boundary pieces against the polygons, then points against the prepared jurisdictions)
        rather than every polygon against every jurisdiction.
        """
        scale = len(self._geometries)
        crossed = self._boundaries.crossing(polygons, scale)
        points = cast(NDArray[np.object_], shapely.points(inside))
        jurisdiction, point = STRtree(points).query(self._geometries, predicate="intersects")
        holding = distinct(point * scale + jurisdiction)
        meeting = distinct(np.concatenate([crossed, holding]))
        cell, jurisdiction = meeting // scale, meeting % scale
        covered = member(meeting, holding) & ~member(meeting, crossed)
        depth = self._depth[jurisdiction]
        slots = cell * 4 + depth
        hits = np.bincount(slots, minlength=4 * len(polygons)).reshape(-1, 4)
        covers = np.bincount(slots, weights=covered, minlength=4 * len(polygons)).reshape(-1, 4)
        # Pure: at each level no polygon meets the cell, or exactly one does and covers it.
        pure = ((hits == 0) | ((hits == 1) & (covers == 1))).all(axis=1)
        single = np.full((len(polygons), 4), -1, dtype=np.int64)
        single[cell, depth] = jurisdiction
        return pure, single, (cell, jurisdiction, covered)

    def _answer_ids(self, singles: NDArray[np.int64], kinds: list[object]) -> NDArray[np.int64]:
        """Ids in `kinds` of the answers of pure cells, one Place (or _NOWHERE) per distinct chain."""
        if not len(singles):
            return np.zeros(0, dtype=np.int64)
        signatures, which = np.unique(singles, axis=0, return_inverse=True)
        first = len(kinds)
        for row in signatures.tolist():
            held = [j for j in row if j >= 0]
            kinds.append(self._entry(held, [True] * len(held)))
        return first + which.ravel()

    def _borders(self, cells: NDArray[np.uint64], impure: NDArray[np.bool_], pairs: Pairs) -> dict[int, object]:
        """The entry of each impure cell, one object per distinct set of candidates (cells along one edge)."""
        cell, jurisdiction, covered = (a[impure[pairs[0]]] for a in pairs)
        if not len(cell):
            return {}
        order = np.lexsort((jurisdiction, cell))  # by cell, then level and code (the sort of self._jurisdictions)
        cell, jurisdiction, covered = cell[order], jurisdiction[order], covered[order]
        starts = np.flatnonzero(np.diff(cell, prepend=-1))
        sizes = np.diff(np.append(starts, len(cell)))
        rows = np.full((len(starts), int(sizes.max())), -1, dtype=np.int64)
        rows[np.repeat(np.arange(len(starts)), sizes), np.arange(len(cell)) - np.repeat(starts, sizes)] = (
            jurisdiction * 2 + covered
        )
        kinds, which = np.unique(rows, axis=0, return_inverse=True)
        entries = [
            self._entry([v // 2 for v in r if v >= 0], [v % 2 == 1 for v in r if v >= 0]) for r in kinds.tolist()
        ]
        return dict(zip(cells[cell[starts]].tolist(), [entries[k] for k in which.ravel().tolist()], strict=True))

    def _entry(self, indexes: Sequence[int], covers: Sequence[bool]) -> object:
        """The table value for a cell meeting `indexes` (level then code order), covered where `covers`.

        Walks down as ExactIndex would while the answer is the same for every point of the cell (the
        lowest code under the parent covers the cell): to the end, the cell is pure (its Place, or
        _NOWHERE); stopped at a level that needs a test, it is a _Border from there.
        """
        levels: list[list[Candidate]] = [[], [], [], []]
        for index, whole in zip(indexes, covers, strict=True):
            levels[self._depths[index]].append(self._whole[index] if whole else self._part[index])
        chain: list[str | None] = [None, None, None, None]
        parent: str | None = None
        for depth, candidates in enumerate(levels):
            under = [c for c in candidates if c[1] == parent]
            if not under:
                break  # nothing at this level for any point of the cell: the chain ends here
            if under[0][2] is not None:
                return _Border(self._places, chain, depth, [under, *levels[depth + 1 :]])
            chain[depth] = parent = under[0][0]
        place = self._places.of((chain[0], chain[1], chain[2], chain[3]))
        return _NOWHERE if place is None else place
