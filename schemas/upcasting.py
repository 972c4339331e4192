"""Upcasters: each turns version N of an event's JSON data into version N+1."""

from typing import Any

from schemas.base import Upcaster

NEEDS_CONFIRMATION = {"hotline", "public"}


def report_received_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 locations were WGS-84 degrees by contract; v2 says so."""
    location = data.get("location")
    if not isinstance(location, dict):
        return data  # let validation name the problem
    return {**data, "location": {"crs": "WGS84", **location}}


def report_received_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v3 locations are WGS-84 with the reported original beside; hotline reports need confirmation."""
    location = data.get("location")
    if isinstance(location, dict) and location.get("crs", "WGS84") != "WGS84":
        from cityconfig.coords import to_wgs84  # only old non-WGS-84 events need the conversion

        lat, lon = to_wgs84(location["lat"], location["lon"], location["crs"])
        location = {"lat": lat, "lon": lon, "crs": "WGS84", "reported": location}
    return {**data, "location": location, "needs_confirmation": data.get("channel") in NEEDS_CONFIRMATION}


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("intake.ReportReceived", 1): report_received_v1_to_v2,
    ("intake.ReportReceived", 2): report_received_v2_to_v3,
}
