"""定人、定岗、定责、定时: who patrols which grids, with what duties, at what hours, how often (`duty.yaml`).

Each assignment fixes one person (定人: the identity provider's `sub`, so a verified caller finds their
own row) to grids (定岗), with duties (定责), working hours and a patrol interval (定时). Officers (执法队员)
belong to an enforcement unit and its brigade (中队); grid members (网格员) to the unit that employs them.
The file is optional: a city without it has no assignments. Everything in it is work contact data,
published on the community's contact board (公示牌); nothing about residents belongs here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

from cityconfig.errors import CityConfigError
from cityconfig.jurisdictions import CODE_DIGITS, Jurisdiction
from cityconfig.units import Units, did_you_mean, located, read_document, unknown_key

DUTY_FILE = "duty.yaml"
DutyRole = Literal["officer", "grid_member"]
DUTY_ROLES: tuple[DutyRole, ...] = get_args(DutyRole)
DOCUMENT_KEYS = ("assignments",)
ASSIGNMENT_KEYS = (
    "subject", "name", "role", "unit", "brigade", "grids", "duties", "work_phone", "hours", "patrol_every",
)  # fmt: skip
SUBJECT_PATTERN = re.compile(r"^\S{1,200}$")
# A landline with its area code (0516-83991234, an extension after a second dash) or a mobile number.
PHONE_PATTERN = re.compile(r"^(0\d{2,3}-\d{7,8}(-\d{1,6})?|1[3-9]\d{9})$")
HOURS_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
INTERVAL_PATTERN = re.compile(r"^\s*(\d+)\s*([dh])\s*$")
INTERVAL_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1)}


@dataclass(frozen=True)
class DutyAssignment:
    """定人定岗: one person fixed to grids, with duties, work phone, hours and patrol interval."""

    subject: str
    """The identity provider's `sub` (Principal.subject); their events record the actor `user:<subject>`."""
    name: str
    role: DutyRole
    """`officer` 执法队员 or `grid_member` 网格员."""
    unit_code: str
    """The unit (units.yaml) the person works for; it covers every grid of the assignment."""
    brigade_code: str | None
    """中队: the street-level enforcement unit over the person's grids, if any."""
    grid_codes: tuple[str, ...]
    """Unit grids (15 digits), in file order."""
    duties: tuple[str, ...]
    work_phone: str
    hours: tuple[str, ...]
    """Working hours in city time, `HH:MM-HH:MM` (an end before the start runs past midnight)."""
    patrol_every: timedelta | None
    """定时: each grid of the assignment is to be patrolled at least this often; None if not required."""

    @property
    def actor(self) -> str:
        return f"user:{self.subject}"


@dataclass(frozen=True)
class Duty:
    """The city's duty assignments, with the look-ups a patrol, a coverage check and a contact board need."""

    assignments: tuple[DutyAssignment, ...] = ()

    def by_subject(self, subject: str) -> DutyAssignment | None:
        return self._by_subject.get(subject)

    def for_grid(self, code: str) -> list[DutyAssignment]:
        """The assignments covering one unit grid, in file order."""
        return [a for a in self.assignments if code in a.grid_codes]

    def for_community(self, code: str) -> list[DutyAssignment]:
        """The assignments with any grid in a community (or any area: by code prefix), in file order."""
        return [a for a in self.assignments if any(grid.startswith(code) for grid in a.grid_codes)]

    def required_interval(self, grid_code: str) -> timedelta | None:
        """The shortest patrol interval among the assignments covering a grid; None if none requires one."""
        return self.watched_grids().get(grid_code)

    def watched_grids(self) -> dict[str, timedelta]:
        """Every grid some assignment requires patrolled, with its shortest interval."""
        return dict(self._watched)

    @cached_property
    def _by_subject(self) -> dict[str, DutyAssignment]:
        return {a.subject: a for a in self.assignments}

    @cached_property
    def _watched(self) -> dict[str, timedelta]:
        watched: dict[str, timedelta] = {}
        for assignment in self.assignments:
            if assignment.patrol_every is None:
                continue
            for grid in assignment.grid_codes:
                known = watched.get(grid)
                watched[grid] = assignment.patrol_every if known is None else min(known, assignment.patrol_every)
        return watched


NO_DUTY = Duty()


@dataclass(frozen=True)
class _Entry:
    """One raw assignment being read: the file, where it is, and its mapping."""

    path: Path
    where: str
    raw: Mapping[Any, Any] = field(repr=False)

    def refuse(self, problem: str) -> CityConfigError:
        return CityConfigError(self.path, problem, self.where)

    def text(self, key: str, what: str) -> str:
        value = self.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise self.refuse(f"needs '{key}': {what}")
        return str(value).strip()

    def texts(self, key: str, what: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
        if not isinstance(items, list) or not items:
            raise self.refuse(f"needs '{key}': {what}")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
                raise self.refuse(f"'{key}' entry {item!r}: {what}")
        return tuple(str(item).strip() for item in items)


def read_duty(path: Path, units: Units | None, jurisdictions: Mapping[str, Jurisdiction]) -> Duty:
    """Read and check `duty.yaml` against units and jurisdictions; raise CityConfigError naming the first problem."""
    if units is None:
        raise CityConfigError(path, "needs units.yaml beside it: every assignment names the unit the person works for")
    document = read_document(path, DOCUMENT_KEYS)
    raw_assignments = document.get("assignments")
    if not isinstance(raw_assignments, list) or not raw_assignments:
        raise CityConfigError(path, "'assignments' must be a non-empty list (leave the file out for none)")
    assignments: list[DutyAssignment] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(raw_assignments):
        assignment = _assignment(path, index, raw, units, jurisdictions)
        where = located(f"assignments[{index}] ({assignment.subject})", raw)
        if assignment.subject in seen:
            problem = f"duplicate subject {assignment.subject}, already at {seen[assignment.subject]}"
            raise CityConfigError(path, problem, where)
        seen[assignment.subject] = where
        assignments.append(assignment)
    return Duty(tuple(assignments))


def _assignment(
    path: Path, index: int, raw: Any, units: Units, jurisdictions: Mapping[str, Jurisdiction]
) -> DutyAssignment:
    where = located(f"assignments[{index}]", raw)
    if not isinstance(raw, dict):
        raise CityConfigError(path, "must be a mapping (subject, name, role, unit, grids, …)", where)
    subject = raw.get("subject")
    if not isinstance(subject, str) or not SUBJECT_PATTERN.match(subject):
        raise CityConfigError(path, f"subject {subject!r} must be the identity provider's sub: text, no spaces", where)
    entry = _Entry(path, located(f"assignments[{index}] ({subject})", raw), raw)
    unknown = sorted(set(map(str, raw)) - set(ASSIGNMENT_KEYS))
    if unknown:
        raise entry.refuse(unknown_key(unknown[0], ASSIGNMENT_KEYS))
    role = next((known for known in DUTY_ROLES if known == raw.get("role")), None)
    if role is None:
        hint = did_you_mean(raw.get("role"), DUTY_ROLES)
        raise entry.refuse(f"role {raw.get('role')!r}{hint} must be one of {', '.join(DUTY_ROLES)}")
    grids = _grids(entry, jurisdictions)
    unit_code = _unit(entry, "unit", units, grids)
    brigade = _brigade(entry, units, grids) if raw.get("brigade") is not None else None
    return DutyAssignment(
        subject=subject,
        name=entry.text("name", "the person's name, as the contact board shows it"),
        role=role,
        unit_code=unit_code,
        brigade_code=brigade,
        grid_codes=grids,
        duties=entry.texts("duties", "what the person answers for, e.g. [巡查, 占道经营]"),
        work_phone=_phone(entry),
        hours=_hours(entry),
        patrol_every=_interval(entry),
    )


def _grids(entry: _Entry, jurisdictions: Mapping[str, Jurisdiction]) -> tuple[str, ...]:
    codes = entry.texts("grids", "the unit grid codes (15 digits) the person is fixed to")
    for code in codes:
        jurisdiction = jurisdictions.get(code)
        if jurisdiction is None:
            raise entry.refuse(f"grids: unknown jurisdiction code {code!r} (not in jurisdictions.geojson)")
        if jurisdiction.level != "grid":
            raise entry.refuse(
                f"grids: {code} {jurisdiction.name} is a {jurisdiction.level}; "
                f"an assignment lists unit grids ({CODE_DIGITS['grid']} digits)"
            )
    twice = next((code for i, code in enumerate(codes) if code in codes[:i]), None)
    if twice:
        raise entry.refuse(f"grids: {twice} listed twice")
    return codes


def _unit(entry: _Entry, key: str, units: Units, grids: tuple[str, ...]) -> str:
    code = entry.text(key, "a unit id from units.yaml")
    unit = units.get(code)
    if unit is None:
        raise entry.refuse(f"{key}: unknown unit {code!r}{did_you_mean(code, units.by_id)} (not in units.yaml)")
    outside = next((grid for grid in grids if unit.covering(grid) is None), None)
    if outside:
        raise entry.refuse(f"{key}: {code} {unit.name} does not cover grid {outside}")
    return code


def _brigade(entry: _Entry, units: Units, grids: tuple[str, ...]) -> str:
    code = _unit(entry, "brigade", units, grids)
    unit = units.by_id[code]
    if unit.level != "street" or unit.trade != "enforcement":
        raise entry.refuse(
            f"brigade: {code} {unit.name} is a {unit.level} {unit.trade} unit; "
            "a brigade (中队) is a street-level enforcement unit"
        )
    return code


def _phone(entry: _Entry) -> str:
    phone = entry.text("work_phone", "a work phone, e.g. 0516-80001234")
    if not PHONE_PATTERN.match(phone):
        raise entry.refuse(
            f"work_phone {phone!r} must be a landline with its area code (0516-80001234) or a mobile number"
        )
    return phone


def _hours(entry: _Entry) -> tuple[str, ...]:
    hours = entry.texts("hours", "working hours in city time, e.g. [08:30-12:00, 14:00-17:30]")
    for span in hours:
        match = HOURS_PATTERN.match(span)
        if match is None:
            raise entry.refuse(f"hours {span!r} must be HH:MM-HH:MM in city time, e.g. 08:30-17:30")
        if match.group(1, 2) == match.group(3, 4):
            raise entry.refuse(f"hours {span!r} start and end at the same minute")
    return hours


def _interval(entry: _Entry) -> timedelta | None:
    value = entry.raw.get("patrol_every")
    if value is None:
        return None
    match = INTERVAL_PATTERN.match(str(value))
    if match is None or int(match.group(1)) < 1:
        raise entry.refuse(f"patrol_every {value!r} must be whole days or hours, n ≥ 1: e.g. 1d or 12h")
    return int(match.group(1)) * INTERVAL_UNITS[match.group(2)]
