"""Point lookup: which district, street, community and grid a WGS-84 point falls in, via one STRtree per level."""

from __future__ import annotations

from collections.abc import Mapping

from shapely import STRtree
from shapely.geometry import Point

from cityconfig.jurisdictions import LEVELS, Jurisdiction, Level, Place


class JurisdictionIndex:
    """Answers "where is this point" level by level, each level searched only under the level above."""

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
