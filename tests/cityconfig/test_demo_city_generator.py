"""The committed demo city is exactly what tools/demo_city/generate.py makes from its source/ folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from cityconfig import DEFAULT_CITY
from tools.demo_city.divisions import short_name
from tools.demo_city.generate import SOURCE, generate
from tools.demo_city.layout import tile


@pytest.mark.parametrize("name", ["jurisdictions.geojson", "categories.tsv", "units.yaml", "routing.yaml"])
def test_the_committed_file_matches_a_fresh_generation(tmp_path: Path, name: str) -> None:
    generate(SOURCE, tmp_path)

    assert (tmp_path / name).read_bytes() == (DEFAULT_CITY / name).read_bytes()


def test_the_sources_are_the_bytes_their_provenance_records() -> None:
    recorded = set(re.findall(r"`([0-9a-f]{64})`", (SOURCE / "PROVENANCE.md").read_text(encoding="utf-8")))
    present = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SOURCE.iterdir() if p.name != "PROVENANCE.md"}

    assert present == recorded


def test_tiles_fill_their_box_in_proportion_to_their_weights() -> None:
    tiles = tile((0.0, 0.0, 4.0, 1.0), [1, 3])

    assert tiles == [(0.0, 0.0, 1.0, 1.0), (1.0, 0.0, 4.0, 1.0)]


def test_tiles_are_cut_into_rows_from_the_north_west() -> None:
    tiles = tile((0.0, 0.0, 1.0, 1.0), [1, 1, 1, 1])

    assert tiles == [(0.0, 0.5, 0.5, 1.0), (0.5, 0.5, 1.0, 1.0), (0.0, 0.0, 0.5, 0.5), (0.5, 0.0, 1.0, 0.5)]


@pytest.mark.parametrize(
    ("name", "short"),
    [("万通社区居委会", "万通社区"), ("铁刹社区居民委员会", "铁刹社区"), ("薛桥村委会", "薛桥村")],
)
def test_a_grid_is_named_after_its_community_without_the_committee_suffix(name: str, short: str) -> None:
    assert short_name(name) == short
