"""Point resolution (落点): single points resolved per second on one core, and exactly the answers of
plain shapely containment, against the demo city and a generated city of 10,000 unit grids.

One process, one thread: a loop of `City.locate(lat, lon)` over 100,000 random points in the
districts' bounding box, timed by the process's CPU clock (what one core spent; other agents share
the machine). The same points, every polygon's vertices and edge midpoints (borders and corners,
where ties are decided) and points just outside the box are checked against
cityconfig.spatial.ExactIndex: any difference is printed and the run fails (exit 1). Target
(issue 10): >= 100,000 resolutions/s per core. Adds its section to BENCHMARKS.md and its
measurements to bench/results.json.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import numpy as np
import shapely

from bench.eventstore import code_version, cpu_model, memory
from bench.synthetic_city import write_synthetic_city
from cityconfig.city import DEFAULT_CITY, City, load_city
from cityconfig.spatial import CellIndex, ExactIndex

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "bench-resolution"
REPORT = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.json"
START, END = "<!-- resolution:start -->", "<!-- resolution:end -->"
POINTS, ROUNDS, SYNTHETIC_GRIDS, TARGET = 100_000, 3, 10_000, 100_000.0


@dataclass(frozen=True)
class Measured:
    city: str
    grids: int
    polygons: int
    build_s: float
    kept_mb: float
    peak_mb: float
    stats: dict[str, int]
    rates: list[float]
    exact_rate: float
    checked: int
    mismatches: list[str]

    @property
    def rate(self) -> float:
        return median(self.rates)


def points(city: City, count: int, seed: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(lat, lon) uniform over the districts' bounding box (timed and checked); and, checked only, the
    polygons' vertices and edge midpoints and points in a margin around the box (outside the city)."""
    geometries = [j.geometry for j in city.jurisdictions.values()]
    west, south, east, north = shapely.total_bounds(geometries)
    rng = np.random.default_rng(seed)
    lats, lons = rng.uniform(south, north, count).tolist(), rng.uniform(west, east, count).tolist()
    vertices = shapely.get_coordinates(geometries)
    border = np.vstack([vertices, (vertices[1:] + vertices[:-1]) / 2])
    pad_x, pad_y = (east - west) / 20, (north - south) / 20
    outside = count // 10  # below or above the box, anywhere along it
    margin_lons = rng.uniform(west - pad_x, east + pad_x, outside)
    offsets = rng.uniform(0, pad_y, outside)
    margin_lats = np.where(rng.random(outside) < 0.5, south - offsets, north + offsets)
    extra = [(y, x) for x, y in border.tolist()] + list(zip(margin_lats.tolist(), margin_lons.tolist(), strict=True))
    return list(zip(lats, lons, strict=True)), extra


def traced_mb(city: City, exact: ExactIndex) -> tuple[float, float]:
    """What an index keeps, and the peak while it is built, in Python's allocations (numpy's included)."""
    tracemalloc.start()
    index = CellIndex(city.jurisdictions, exact)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index
    return kept / 2**20, peak / 2**20


def measure(name: str, folder: Path) -> Measured:
    city = load_city(folder)
    exact = ExactIndex(city.jurisdictions)
    started = time.process_time()
    index = CellIndex(city.jurisdictions, exact)  # what City builds at load, timed on its own
    build_s = time.process_time() - started
    kept_mb, peak_mb = traced_mb(city, exact)
    random_points, border_points = points(city, POINTS, seed=2026)
    locate = city.locate
    rates = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for lat, lon in random_points:
            locate(lat, lon)
        rates.append(POINTS / (time.process_time() - started))
    started = time.process_time()
    expected = [exact.locate(lon, lat) for lat, lon in random_points]
    exact_rate = POINTS / (time.process_time() - started)
    mismatches = [
        f"{name}: ({lat}, {lon}) index {got} != exact {want}"
        for (lat, lon), want in zip(random_points, expected, strict=True)
        if (got := city.locate(lat, lon)) != want
    ]
    mismatches += [
        f"{name}: border ({lat}, {lon}) index {got} != exact {want}"
        for lat, lon in border_points
        if (got := city.locate(lat, lon)) != (want := exact.locate(lon, lat))
    ]
    grids = sum(j.level == "grid" for j in city.jurisdictions.values())
    checked = len(random_points) + len(border_points)
    return Measured(
        name,
        grids,
        len(city.jurisdictions),
        build_s,
        kept_mb,
        peak_mb,
        index.stats(),
        rates,
        exact_rate,
        checked,
        mismatches,
    )


def section(results: list[Measured], code: str, load: tuple[float, float], seconds: float) -> str:
    verdict = {True: "PASS", False: "MISS"}
    lines = [
        START,
        "## Point resolution (落点)",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Code: {code}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {memory()} RAM",
        f"- Load average (1 min) before and after: {load[0]:.2f}, {load[1]:.2f}",
        "- Command: `make bench` (`python -m bench.resolution`)",
        f"- Duration: {seconds:.0f} s",
        "",
        "### Method",
        "",
        f"- One process, one thread: `City.locate(lat, lon)` in a loop over {POINTS:,} random points in the",
        "  districts' bounding box, timed by the process's CPU clock; the median of",
        f'  {ROUNDS} rounds. The index is cityconfig.spatial.CellIndex (docs/routing.md, "Point index");',
        "  exact is ExactIndex, plain shapely containment with one STRtree per level (the old lookup).",
        "- The same points, every polygon's vertices and edge midpoints, and points in a margin around",
        "  the box (outside the city) are compared with ExactIndex: any difference fails the run.",
        f"- The generated city: `bench/synthetic_city.py`, {SYNTHETIC_GRIDS:,} grids as Voronoi cells",
        "  clipped to their community, street and district (borders at every angle), ~0.3 km² each.",
        "",
        "### Results",
        "",
        "| City | grids | h3 res | cells | border cells | build s (CPU) | MB kept / peak | resolutions/s | every round"
        " | exact /s | points checked | mismatches |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rounds = " / ".join(f"{rate:,.0f}" for rate in r.rates)
        lines.append(
            f"| {r.city} | {r.grids:,} | {r.stats['resolution']} | {r.stats['cells']:,} | {r.stats['border_cells']:,}"
            f" | {r.build_s:.2f} | {r.kept_mb:.0f} / {r.peak_mb:.0f} | {r.rate:,.0f} | {rounds}"
            f" | {r.exact_rate:,.0f} | {r.checked:,} | {len(r.mismatches)} |"
        )
    lines += ["", "### Targets", "", "| Target | Result | |", "|---|---:|---|"]
    for r in results:
        lines.append(
            f"| {r.city}: ≥ {TARGET:,.0f} resolutions/s per core | {r.rate:,.0f} | {verdict[r.rate >= TARGET]} |"
        )
        lines.append(
            f"| {r.city}: the same answers as shapely | {len(r.mismatches)} differ | {verdict[not r.mismatches]} |"
        )
    lines.append(END)
    return "\n".join(lines)


def write(results: list[Measured], text: str) -> None:
    report = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    report = re.sub(f"\n*{START}.*?{END}", "", report, flags=re.S).rstrip() + "\n\n" + text + "\n"
    REPORT.write_text(report)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    stored = [r for r in stored if not str(r.get("name", "")).startswith("resolution:")]
    for r in results:
        stored += [
            {"name": f"resolution: {r.city}, per core", "value": round(r.rate), "unit": "resolutions/s",
             "compared_with": f"resolution: {r.city}, exact", "ratio": round(r.rate / r.exact_rate, 2)},
            {"name": f"resolution: {r.city}, exact", "value": round(r.exact_rate), "unit": "resolutions/s",
             "compared_with": None, "ratio": None},
            {"name": f"resolution: {r.city}, index build", "value": round(r.build_s, 2), "unit": "s (CPU)",
             "compared_with": None, "ratio": None},
            {"name": f"resolution: {r.city}, mismatches", "value": len(r.mismatches), "unit": "points",
             "compared_with": None, "ratio": None},
        ]  # fmt: skip
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    code, load_before, started = code_version(), os.getloadavg()[0], time.perf_counter()
    synthetic = write_synthetic_city(RUN_DIR / "synthetic", SYNTHETIC_GRIDS)
    results = []
    for name, folder in (("demo city", DEFAULT_CITY), (f"generated, {SYNTHETIC_GRIDS:,} grids", synthetic)):
        results.append(measure(name, folder))
        r = results[-1]
        print(f"{name}: {r.rate:,.0f} resolutions/s per core (exact {r.exact_rate:,.0f}), build {r.build_s:.2f} s,"
              f" {r.stats}, {len(r.mismatches)} mismatches of {r.checked:,}", flush=True)  # fmt: skip
    text = section(results, code, (load_before, os.getloadavg()[0]), time.perf_counter() - started)
    write(results, text)
    print(text)
    wrong = [m for r in results for m in r.mismatches]
    if wrong:
        print(f"FAIL: {len(wrong)} points resolved differently from shapely containment", file=sys.stderr)
        for line in wrong[:50]:
            print(line, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
