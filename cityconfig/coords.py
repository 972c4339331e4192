"""坐标系: turn the coordinates Chinese map apps send into WGS-84, the system every city file and lookup uses.

- GCJ-02 (国测局, "Mars" coordinates): AMap/高德, Tencent, Google Maps in China.
- BD-09: Baidu, a further offset on top of GCJ-02.
- CGCS2000 (国家大地坐标系, 天地图 and official surveys) is taken as WGS-84 unchanged: the two frames
  differ by well under a metre at the current epoch, far below a phone's GPS error.

The offsets are computed by `geocoordinates-rs` (MIT/Apache-2.0, Rust with Python bindings). The forward
offsets are the published closed-form algorithm; the inverses iterate to a fixed point (the library
states < 0.5 m for GCJ-02 and < 1 m for BD-09; in practice they agree with the forward map to ~1e-9°).
Outside China the library leaves points unchanged, as the apps do.
"""

from __future__ import annotations

import math
from typing import assert_never, get_args

import geocoordinates_ffi as geo  # type: ignore[import-untyped]  # the bindings ship no py.typed

from schemas.intake import CoordinateSystem

# One list of coordinate systems: the contract's (schemas/intake.py).
COORDINATE_SYSTEMS: tuple[CoordinateSystem, ...] = get_args(CoordinateSystem)


def to_wgs84(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    """(lat, lon) in `crs` -> (lat, lon) in WGS-84; ValueError for a coordinate that is not on Earth."""
    _check(lat, lon)
    if crs == "WGS84" or crs == "CGCS2000":
        return (lat, lon)
    if crs == "GCJ02":
        point = geo.gcj02_to_wgs84_refined(geo.Gcj02(lat=lat, lon=lon))
    elif crs == "BD09":
        point = geo.bd09_to_wgs84_refined(geo.Bd09(lat=lat, lon=lon))
    else:
        assert_never(crs)
    return (float(point.lat), float(point.lon))


def from_wgs84(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    """(lat, lon) in WGS-84 -> (lat, lon) in `crs`, e.g. to put a case on an AMap or Baidu base map."""
    _check(lat, lon)
    if crs == "WGS84" or crs == "CGCS2000":
        return (lat, lon)
    if crs == "GCJ02":
        point = geo.wgs84_to_gcj02(geo.Wgs84(lat=lat, lon=lon))
    elif crs == "BD09":
        point = geo.wgs84_to_bd09(geo.Wgs84(lat=lat, lon=lon))
    else:
        assert_never(crs)
    return (float(point.lat), float(point.lon))


def _check(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"({lat}, {lon}) is not a latitude and longitude in degrees")
