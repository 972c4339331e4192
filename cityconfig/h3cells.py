"""The geometry behind the h3 point index (cityconfig.spatial.CellIndex): cells as polygons, boundaries as pieces.

h3 cells have geodesic edges and h3 children are not inside their parent's outline, so nothing here
trusts either: a cell is tested as its straight-edged ring grown by CELL_GROWTH, and a parent as the
bounding box of its finest descendants' grown rings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain

import numpy as np
import shapely
from h3.api import basic_int as h3
from numpy.typing import NDArray
from shapely import STRtree

from cityconfig.jurisdictions import LEVELS, Jurisdiction

# Each cell is grown by 2 % of its radius about its centre before testing: an h3 edge is a geodesic,
# which at resolution 5 (8.5 km edges, coarser than any city's index) bows out of its chord by under
# 1 m at China's latitudes, against > 100 m of margin; at resolution 10 it is ~1e-5 m against ~1 m.
CELL_GROWTH = 1.02
# The finest cells are about this many times narrower than the city's median unit grid, so roughly
# 3/FINENESS of the points fall in border cells (a band of hexagons either side of every edge)...
FINENESS = 16.0
# ...unless the districts' bounding box would then take more cells than this (memory, build time).
MAX_CELLS = 250_000
# Parents are tested (as boxes) from this many resolutions above the finest one.
LEVELS_ABOVE_FINEST = 3
# A hexagon's boundary has 6 vertices, a pentagon's 5, a cell across an icosahedron face up to 10.
MAX_CELL_VERTICES = 10
EARTH_RADIUS_M = 6_371_007.2
RING_CHUNK = 16_384


def choose_resolution(jurisdictions: Sequence[Jurisdiction], bounds: tuple[float, ...]) -> int:
    """The coarsest h3 resolution whose edges are at most 1/FINENESS of the median finest polygon's
    width, or the finest one that keeps the bounding box within MAX_CELLS cells, whichever is coarser."""
    finest_level = max(LEVELS.index(j.level) for j in jurisdictions)
    geometries = [j.geometry for j in jurisdictions if LEVELS.index(j.level) == finest_level]
    west, south, east, north = bounds
    square_metres = (math.pi * EARTH_RADIUS_M / 180) ** 2 * math.cos(math.radians((south + north) / 2))
    width = math.sqrt(float(np.median(shapely.area(geometries))) * square_metres)
    extent = max((east - west) * (north - south) * square_metres, 1.0)
    wanted = next((r for r in range(16) if h3.average_hexagon_edge_length(r, "m") <= width / FINENESS), 15)
    affordable = max((r for r in range(16) if extent / h3.average_hexagon_area(r, "m^2") <= MAX_CELLS), default=0)
    return min(wanted, affordable)


def covering_cells(bounds: tuple[float, ...], resolution: int) -> NDArray[np.uint64]:
    """Sorted cells of `resolution` whose centres fall in the bounding box grown by 1.5 cell edges each
    way (a point is within about one edge of its cell's centre, so the box is covered)."""
    west, south, east, north = bounds
    pad_lat = math.degrees(1.5 * h3.average_hexagon_edge_length(resolution, "m") / EARTH_RADIUS_M)
    pad_lon = pad_lat / max(math.cos(math.radians(max(abs(south), abs(north)))), 1e-6)
    south, north = max(south - pad_lat, -89.9), min(north + pad_lat, 89.9)
    west, east = max(west - pad_lon, -180.0), min(east + pad_lon, 180.0)
    ring = [(south, west), (south, east), (north, east), (north, west)]
    return np.sort(np.array(h3.polygon_to_cells(h3.LatLngPoly(ring), resolution), dtype=np.uint64))


def parents(cells: NDArray[np.uint64], resolution: int) -> NDArray[np.uint64]:
    """`h3.cell_to_parent` for an array: the H3 index keeps the resolution in bits 52-55 and digit r in
    bits 3(15-r)..3(15-r)+2, unused digits being 7 (h3geo.org, "H3 Index Representations")."""
    below = np.uint64((1 << (3 * (15 - resolution))) - 1)
    field = np.uint64(0xF << 52)
    return (cells & ~field) | np.uint64(resolution << 52) | below


def grown_rings(cells: NDArray[np.uint64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each cell's (lon, lat) ring grown by CELL_GROWTH about its centre (so it holds the geodesic cell),
    padded to the longest ring by repeating its last vertex (which changes nothing), and that centre
    (the mean of its vertices: inside, as the cell is convex)."""
    # In chunks: h3 answers a boundary as Python tuples, ~700 bytes a cell while they live.
    parts = [_grown_rings(cells[start : start + RING_CHUNK]) for start in range(0, len(cells), RING_CHUNK)]
    width = max((ring.shape[1] for ring, _ in parts), default=MAX_CELL_VERTICES)
    rings = np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), mode="edge") for r, _ in parts])
    centres = np.concatenate([c for _, c in parts]) if parts else np.empty((0, 2))
    if not parts:
        rings = np.empty((0, width, 2))
    # A cell wrapping the antimeridian cannot be drawn in (lon, lat); no city needs one.
    if len(cells) and float(np.max(np.ptp(rings[:, :, 0], axis=1))) > 90:
        raise ValueError("h3 cells across the antimeridian are not supported")
    return rings, centres


def _grown_rings(cells: NDArray[np.uint64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    boundaries = [h3.cell_to_boundary(cell) for cell in cells.tolist()]
    counts = np.fromiter(map(len, boundaries), dtype=np.int64, count=len(boundaries))
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(boundaries)), dtype=np.float64).reshape(-1, 2)
    flat = flat[:, ::-1]  # (lat, lon) -> (lon, lat)
    first = np.cumsum(counts) - counts
    centres = np.add.reduceat(flat, first) / counts[:, None]
    width = int(counts.max()) if len(counts) else MAX_CELL_VERTICES
    vertex = first[:, None] + np.minimum(np.arange(width)[None, :], counts[:, None] - 1)
    return centres[:, None, :] + (flat[vertex] - centres[:, None, :]) * CELL_GROWTH, centres


class Boundaries:
    """Every jurisdiction's boundary as short straight pieces, each edge once with the polygons it bounds.

    Long edges are cut into pieces about four cells long, so a bulk query tests each piece against the
    few cells around it rather than every cell in a long edge's bounding box. A cut point is off the
    true edge by a rounding error (~1e-9 m), far inside CELL_GROWTH's margin.
    """

    def __init__(self, geometries: NDArray[np.object_], piece_length: float) -> None:
        parts, part_owner = shapely.get_parts(geometries, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coordinates, vertex_ring = shapely.get_coordinates(rings, return_index=True)
        follows = np.flatnonzero(vertex_ring[1:] == vertex_ring[:-1])  # vertices i and i + 1 on one ring
        start, end = coordinates[follows], coordinates[follows + 1]
        owner = part_owner[ring_part[vertex_ring[follows]]]
        # An edge shared by two grids (and their community, street...) is one edge with several owners.
        flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
        low, high = np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)
        edges, edge_of = np.unique(np.hstack([low, high]), axis=0, return_inverse=True)
        order = np.argsort(edge_of.ravel(), kind="stable")
        self.owners = owner[order]
        self.first_owner = np.searchsorted(edge_of.ravel()[order], np.arange(len(edges)))
        self.owner_count = np.diff(np.append(self.first_owner, len(order)))
        low, high = edges[:, :2], edges[:, 2:]
        count = np.maximum(1, np.ceil(np.hypot(*(high - low).T) / piece_length)).astype(np.int64)
        self.edge_of_piece = edge = np.repeat(np.arange(len(edges)), count)
        step = (np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count))[:, None]
        delta = (high - low)[edge]
        begin = low[edge] + delta * (step / count[edge, None])
        last = step + 1 == count[edge, None]  # the last piece ends exactly at the edge's end
        finish = np.where(last, high[edge], low[edge] + delta * ((step + 1) / count[edge, None]))
        self.pieces = shapely.linestrings(np.stack([begin, finish], axis=1))

    def crossing(self, polygons: NDArray[np.object_], scale: int) -> NDArray[np.int64]:
        """Sorted distinct `polygon * scale + jurisdiction` for each jurisdiction whose boundary meets a polygon."""
        piece, polygon = STRtree(polygons).query(self.pieces, predicate="intersects")
        edge = self.edge_of_piece[piece]
        owners = self.owner_count[edge]
        pair = np.repeat(np.arange(len(edge)), owners)
        offset = np.arange(len(pair)) - np.repeat(np.cumsum(owners) - owners, owners)
        return distinct(polygon[pair] * scale + self.owners[self.first_owner[edge][pair] + offset])


def distinct(values: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sorted distinct values (np.unique's hash path is slow on large integer arrays)."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def member(values: NDArray[np.int64], sorted_set: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which of `values` are in `sorted_set`."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.asarray(sorted_set[at] == values)
