"""Upcasters: each turns version N of an event's JSON data into version N+1."""

from typing import Any

from schemas.base import Upcaster


def report_received_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 locations were WGS-84 degrees by contract; v2 says so."""
    location = data.get("location")
    if not isinstance(location, dict):
        return data  # let validation name the problem
    return {**data, "location": {"crs": "WGS84", **location}}


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("intake.ReportReceived", 1): report_received_v1_to_v2,
}
