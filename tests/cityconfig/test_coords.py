"""GCJ-02 and BD-09 (Chinese map apps) to WGS-84 and back, against published coordinate pairs."""

from __future__ import annotations

import math

import pytest

from cityconfig import CoordinateSystem, from_wgs84, to_wgs84

# Published WGS-84 -> GCJ-02 pairs (lat, lon): eviltransform's TESTS (googollee/eviltransform, repeated in its
# many ports) and coordtransform-rs's Beijing point, as collected in geocoordinates-rs src/test_support.rs
# (DATUM_VECTORS). The last one also has its published BD-09 value.
GCJ02_PAIRS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),  # Beijing (coordtransform-rs)
]
BEIJING_WGS84 = (39.915, 116.404)
BEIJING_BD09 = (39.922699552216216, 116.41662724378733)  # coordtransform-rs wgs84_to_bd09
XUZHOU_WGS84 = (34.2680, 117.1920)
DEGREE = 1e-6  # about 0.1 m


def close(a: tuple[float, float], b: tuple[float, float], within: float) -> bool:
    return math.isclose(a[0], b[0], abs_tol=within) and math.isclose(a[1], b[1], abs_tol=within)


@pytest.mark.parametrize(("wgs84", "gcj02"), GCJ02_PAIRS)
def test_a_published_gcj02_point_converts_to_its_wgs84_point(
    wgs84: tuple[float, float], gcj02: tuple[float, float]
) -> None:
    assert close(to_wgs84(*gcj02, "GCJ02"), wgs84, DEGREE)


@pytest.mark.parametrize(("wgs84", "gcj02"), GCJ02_PAIRS)
def test_a_published_wgs84_point_converts_to_its_gcj02_point(
    wgs84: tuple[float, float], gcj02: tuple[float, float]
) -> None:
    assert close(from_wgs84(*wgs84, "GCJ02"), gcj02, 1e-9)


def test_a_published_bd09_point_converts_to_its_wgs84_point() -> None:
    assert close(to_wgs84(*BEIJING_BD09, "BD09"), BEIJING_WGS84, DEGREE)


def test_a_published_wgs84_point_converts_to_its_bd09_point() -> None:
    assert close(from_wgs84(*BEIJING_WGS84, "BD09"), BEIJING_BD09, 1e-9)


@pytest.mark.parametrize("crs", ["GCJ02", "BD09"])
def test_a_xuzhou_point_survives_the_round_trip_through_an_app_system(crs: CoordinateSystem) -> None:
    there = from_wgs84(*XUZHOU_WGS84, crs)

    assert close(to_wgs84(*there, crs), XUZHOU_WGS84, DEGREE)


def test_gcj02_sits_about_half_a_kilometre_east_of_wgs84_near_xuzhou() -> None:
    # PROVENANCE.md: near Xuzhou GCJ-02 is about +0.0057° lon / -0.0012° lat from WGS-84.
    lat, lon = from_wgs84(*XUZHOU_WGS84, "GCJ02")

    assert close((lat - XUZHOU_WGS84[0], lon - XUZHOU_WGS84[1]), (-0.0012, 0.0057), 0.0002)


@pytest.mark.parametrize("crs", ["WGS84", "CGCS2000"])
def test_wgs84_and_cgcs2000_pass_through_unchanged(crs: CoordinateSystem) -> None:
    assert to_wgs84(*XUZHOU_WGS84, crs) == XUZHOU_WGS84


def test_a_point_outside_china_is_not_shifted() -> None:
    london = (51.5074, -0.1278)

    assert to_wgs84(*london, "GCJ02") == london


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 117.0), (34.0, 181.0), (math.nan, 117.0)])
def test_a_coordinate_off_the_globe_is_a_value_error(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match="not a latitude and longitude"):
        to_wgs84(lat, lon, "GCJ02")
