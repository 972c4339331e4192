"""The demo's people and systems (演示账号): a token for every role, two units and two grid areas,
and the demo systems' API keys, written to .run/demo-credentials.json (0600) by `make run`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.issuer import DemoIssuer
from devstack.keys import HOTLINE_CLIENT, OPEN311_CLIENT, DemoKey
from devstack.private_files import write_private
from devstack.stack import RUN_DIR

CREDENTIALS = RUN_DIR / "demo-credentials.json"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: str
    unit: str | None = None
    areas: tuple[str, ...] = ()
    """Illustrative: the grids and district of the demo reports (cities/xuzhou-demo)."""
    subject: str | None = None
    """The login's subject, when it must match the city's files (duty.yaml); `demo-<name>` otherwise."""


GRID_A = "320302006008002"  # 鼓楼区: where the first demo report (a manhole cover) lies
GRID_B = "320303001004003"  # 云龙区: where the first demo hotline call lies
GULOU = "320302"
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("grid_member_a", "grid_member", areas=(GRID_A,)),
    DemoPerson("grid_member_b", "grid_member", areas=(GRID_B,)),
    # An enforcement officer (执法队员) of 万通社区's station, who patrols its grids (duty.yaml, illustrative).
    DemoPerson("officer", "officer", areas=("320302001002",), subject="officer-320302001002-1"),
    DemoPerson("call_taker", "call_taker"),
    DemoPerson("dispatcher", "dispatcher", areas=(GULOU,)),
    DemoPerson("shift_lead", "shift_lead"),
    # The units the first grid report and the first hotline call are routed to (cities/xuzhou-demo/units.yaml).
    DemoPerson("unit_staff_water", "unit_staff", unit="dt-320302-water"),
    DemoPerson("unit_staff_sanitation", "unit_staff", unit="cm-320303001004-sanitation"),
    DemoPerson("supervisor", "supervisor"),
    DemoPerson("callback_team", "callback_team"),
    DemoPerson("analyst", "analyst"),
    DemoPerson("admin", "admin"),
)


def demo_credentials(issuer: DemoIssuer, keys: list[DemoKey]) -> dict[str, Any]:
    people: dict[str, Any] = {
        person.name: {
            "role": person.role,
            "unit": person.unit,
            "areas": list(person.areas),
            "token": issuer.person(
                person.role, person.unit, person.areas, subject=person.subject or f"demo-{person.name}"
            ),
        }
        for person in DEMO_PEOPLE
    }
    by_client = {key.client: key.secret for key in keys}
    return {**people, "open311_api_key": by_client[OPEN311_CLIENT], "hotline_api_key": by_client[HOTLINE_CLIENT]}


def write_credentials(credentials: dict[str, Any], path: Path = CREDENTIALS) -> Path:
    write_private(path, json.dumps(credentials, ensure_ascii=False, indent=2))
    return path


def credentials_hint(path: Path) -> str:
    names = ", ".join(person.name for person in DEMO_PEOPLE)
    return f"""Demo credentials (every role; two units, two grid areas) in {path}:
  {names}, open311_api_key, hotline_api_key
  TOKEN=$(jq -r .dispatcher.token {path})
  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8001/v1/reports
  make token ROLE=unit_staff UNIT=dt-320302-water     # any role, unit and areas, same issuer"""
