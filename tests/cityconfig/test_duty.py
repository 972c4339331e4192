"""`duty.yaml` (定人、定岗、定责、定时): a valid file loads with its look-ups; each broken one is refused, saying
file, assignment and fault; the demo city's loads."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from cityconfig import City, CityConfigError, load_city
from cityconfig.duty import Duty
from tests.cityconfig.dispatch_city import Document, two_district_features, unit, units_document, write_dispatch_city
from tests.cityconfig.small_city import feature, square

GRID_1, GRID_2, OTHER_GRID = "320302001002001", "320302001002002", "320303001001001"
COMMUNITY, OTHER_COMMUNITY = "320302001002", "320303001001"


def officer(subject: str, *grids: str, **overrides: object) -> Document:
    return {
        "subject": subject,
        "name": "王警官",
        "role": "officer",
        "unit": "cm-320302001002-enforcement",
        "brigade": "st-320302001-enforcement",
        "grids": list(grids),
        "duties": ["巡查", "占道经营"],
        "work_phone": "0516-80000001",
        "hours": ["08:30-12:00", "14:00-17:30"],
        "patrol_every": "1d",
        **overrides,
    }


DUTY: Document = {
    "assignments": [
        officer("officer-1", GRID_1),
        officer("officer-2", GRID_2, name="李警官", work_phone="13800000000", patrol_every="12h"),
        officer(
            "grid-1", GRID_1, GRID_2, name="张网格", role="grid_member", unit="st-320302001-office", brigade=None,
            duties=["网格巡查"], hours="08:30-17:30", patrol_every=None,
        ),
        officer(
            "officer-3", OTHER_GRID, unit="st-320303001-enforcement", brigade="st-320303001-enforcement",
            hours=["22:00-02:00"], patrol_every="2d",
        ),
    ]
}  # fmt: skip


def write_duty_city(folder: Path, duty: Document | str | None = None) -> Path:
    """The dispatch test city with two grids in 万通 and one in 彭城, a community enforcement unit, and `duty.yaml`."""
    units = units_document()
    station = unit("cm-320302001002-enforcement", "万通社区工作站·执法", "enforcement", "community", COMMUNITY)
    units["units"].append(station)
    write_dispatch_city(folder, units=units)
    features = [
        *two_district_features(),
        feature(GRID_2, "grid", COMMUNITY, square(117.05, 34.0, 0.05)),
        feature(OTHER_GRID, "grid", OTHER_COMMUNITY, square(117.4, 34.0, 0.05)),
    ]
    collection = {"type": "FeatureCollection", "features": features}
    (folder / "jurisdictions.geojson").write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    document = DUTY if duty is None else duty
    text = document if isinstance(document, str) else yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    (folder / "duty.yaml").write_text(text, encoding="utf-8")
    return folder


def loaded_duty(folder: Path) -> Duty:
    return load_city(folder).duty


def refusal(folder: Path) -> CityConfigError:
    with pytest.raises(CityConfigError) as refused:
        load_city(folder)
    return refused.value


def test_a_valid_duty_file_loads_every_assignment_as_written(tmp_path: Path) -> None:
    duty = loaded_duty(write_duty_city(tmp_path / "city"))

    assert [a.subject for a in duty.assignments] == ["officer-1", "officer-2", "grid-1", "officer-3"]
    second = duty.by_subject("officer-2")
    assert second is not None
    assert (second.name, second.role, second.unit_code, second.brigade_code) == (
        "李警官", "officer", "cm-320302001002-enforcement", "st-320302001-enforcement",
    )  # fmt: skip
    assert (second.grid_codes, second.duties, second.work_phone) == ((GRID_2,), ("巡查", "占道经营"), "13800000000")
    assert (second.hours, second.patrol_every, second.actor) == (
        ("08:30-12:00", "14:00-17:30"), timedelta(hours=12), "user:officer-2",
    )  # fmt: skip
    member = duty.by_subject("grid-1")
    assert member is not None
    assert (member.role, member.brigade_code, member.hours, member.patrol_every) == (
        "grid_member", None, ("08:30-17:30",), None,
    )  # fmt: skip
    assert duty.by_subject("nobody") is None


def test_look_ups_by_community_and_grid_and_the_required_intervals(tmp_path: Path) -> None:
    duty = loaded_duty(write_duty_city(tmp_path / "city"))

    assert [a.subject for a in duty.for_community(COMMUNITY)] == ["officer-1", "officer-2", "grid-1"]
    assert [a.subject for a in duty.for_community(OTHER_COMMUNITY)] == ["officer-3"]
    assert duty.for_community("320302001009") == []
    assert [a.subject for a in duty.for_grid(GRID_2)] == ["officer-2", "grid-1"]
    assert duty.required_interval(GRID_1) == timedelta(days=1)
    assert duty.required_interval(GRID_2) == timedelta(hours=12)  # the shortest of those covering it
    assert duty.required_interval("320302001002009") is None
    assert duty.watched_grids() == {
        GRID_1: timedelta(days=1), GRID_2: timedelta(hours=12), OTHER_GRID: timedelta(days=2),
    }  # fmt: skip


def test_a_city_without_the_file_has_no_assignments(tmp_path: Path) -> None:
    city = write_duty_city(tmp_path / "city")
    (city / "duty.yaml").unlink()

    duty = loaded_duty(city)

    assert duty.assignments == ()
    assert duty.for_community(COMMUNITY) == []
    assert duty.watched_grids() == {}


def test_a_duty_file_without_units_is_refused(tmp_path: Path) -> None:
    city = write_duty_city(tmp_path / "city")
    (city / "units.yaml").unlink()
    (city / "routing.yaml").unlink()

    refused = refusal(city)

    assert refused.file.name == "duty.yaml"
    assert "needs units.yaml beside it" in refused.problem


def first(**changes: object) -> Callable[[Document], Document]:
    """Change the first assignment's keys; a None value deletes the key."""

    def apply(document: Document) -> Document:
        entry = document["assignments"][0]
        for key, value in changes.items():
            if value is None:
                del entry[key]
            else:
                entry[key] = value
        return document

    return apply


def appended(entry: Document) -> Callable[[Document], Document]:
    return lambda document: {"assignments": [*document["assignments"], entry]}


BROKEN_DUTY: list[tuple[str, Callable[[Document], Document], list[str]]] = [
    ("typo in a top-level key", lambda d: {"assignment": d["assignments"]}, ["unknown key 'assignment' (did you mean 'assignments'?)"]),  # noqa: E501
    ("no assignments", lambda d: {"assignments": []}, ["'assignments' must be a non-empty list"]),
    ("typo in an assignment's key", first(grid=[GRID_1]), ["assignments[0] (officer-1)", "unknown key 'grid' (did you mean 'grids'?)"]),  # noqa: E501
    ("a duplicate subject", appended(officer("officer-1", GRID_2)), ["assignments[4] (officer-1)", "duplicate subject officer-1, already at assignments[0] (officer-1)"]),  # noqa: E501
    ("a subject with spaces", first(subject="wang jing"), ["subject 'wang jing' must be the identity provider's sub"]),
    ("no subject", first(subject=None), ["assignments[0]", "subject None must be"]),
    ("an unknown role", first(role="oficer"), ["role 'oficer' (did you mean 'officer'?) must be one of officer, grid_member"]),  # noqa: E501
    ("an unknown unit", first(unit="cm-320302001002-enforcment"), ["unit: unknown unit 'cm-320302001002-enforcment' (did you mean 'cm-320302001002-enforcement'?) (not in units.yaml)"]),  # noqa: E501
    ("a unit not covering the grid", first(unit="cm-320303001001-sanitation"), ["unit: cm-320303001001-sanitation 彭城社区工作站·环卫 does not cover grid 320302001002001"]),  # noqa: E501
    ("an unknown brigade", first(brigade="st-320302009-enforcement"), ["brigade: unknown unit 'st-320302009-enforcement'"]),  # noqa: E501
    ("a brigade of another trade", first(brigade="st-320302001-office"), ["brigade: st-320302001-office 黄楼街道办事处 is a street street-office unit", "a brigade (中队) is a street-level enforcement unit"]),  # noqa: E501
    ("a brigade of another street", first(brigade="st-320303001-enforcement"), ["brigade: st-320303001-enforcement 彭城中队 does not cover grid 320302001002001"]),  # noqa: E501
    ("an unknown grid", first(grids=["320302001002009"]), ["grids: unknown jurisdiction code '320302001002009'"]),
    ("a community for a grid", first(grids=[COMMUNITY]), ["grids: 320302001002 community 320302001002 is a community; an assignment lists unit grids (15 digits)"]),  # noqa: E501
    ("a grid listed twice", first(grids=[GRID_1, GRID_1]), [f"grids: {GRID_1} listed twice"]),
    ("no grids", first(grids=[]), ["needs 'grids'"]),
    ("no name", first(name=" "), ["needs 'name'"]),
    ("no duties", first(duties=None), ["needs 'duties'"]),
    ("a phone without its area code", first(work_phone="80000001"), ["work_phone '80000001' must be a landline with its area code"]),  # noqa: E501
    ("a phone with letters", first(work_phone="0516-8000abcd"), ["work_phone '0516-8000abcd'"]),
    ("no phone", first(work_phone=None), ["needs 'work_phone'"]),
    ("hours without minutes", first(hours=["8-17"]), ["hours '8-17' must be HH:MM-HH:MM in city time"]),
    ("hours past 23:59", first(hours=["08:30-24:00"]), ["hours '08:30-24:00' must be HH:MM-HH:MM"]),
    ("hours of no length", first(hours=["08:30-08:30"]), ["hours '08:30-08:30' start and end at the same minute"]),
    ("no hours", first(hours=None), ["needs 'hours'"]),
    ("an interval in minutes", first(patrol_every="90m"), ["patrol_every '90m' must be whole days or hours"]),
    ("an interval of zero", first(patrol_every="0d"), ["patrol_every '0d' must be whole days or hours, n ≥ 1"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [(breakage, expected) for _, breakage, expected in BROKEN_DUTY],
    ids=[case for case, _, _ in BROKEN_DUTY],
)
def test_a_broken_duty_file_is_refused_with_the_assignment_and_the_fault(
    tmp_path: Path, breakage: Callable[[Document], Document], expected: list[str]
) -> None:
    refused = refusal(write_duty_city(tmp_path / "city", breakage(copy.deepcopy(DUTY))))

    assert refused.file.name == "duty.yaml"
    assert all(part in str(refused) for part in expected), str(refused)


def test_the_message_points_at_the_line_of_the_assignment(tmp_path: Path) -> None:
    text = (
        "assignments:\n"
        f"  - {{subject: a, name: A, role: officer, unit: st-320302001-enforcement, grids: ['{GRID_1}'],"
        " duties: [巡查], work_phone: 0516-80000001, hours: ['08:30-17:30']}\n"
        f"  - {{subject: b, name: B, role: officer, unit: st-320302001-enforcement, grids: ['{GRID_2}'],"
        " duties: [巡查], work_phone: 0516-80000002, hours: ['8:30-17:30']}\n"
    )

    refused = refusal(write_duty_city(tmp_path / "city", text))

    assert refused.where == "assignments[1] (b), line 3"
    assert refused.problem.startswith("hours '8:30-17:30' must be HH:MM-HH:MM")


def test_the_demo_city_fixes_two_officers_and_a_grid_member_to_each_community_of_huanglou(demo_city: City) -> None:
    communities = [j.code for j in demo_city.jurisdictions.values() if j.parent == "320302001"]
    duty = demo_city.duty

    assert len(communities) == 7
    for community in communities:
        assigned = duty.for_community(community)
        roles = sorted(a.role for a in assigned)
        assert roles == ["grid_member", "officer", "officer"], community
        grids = {j.code for j in demo_city.jurisdictions.values() if j.parent == community}
        officers = [a for a in assigned if a.role == "officer"]
        assert {a.unit_code for a in officers} == {f"cm-{community}-enforcement"}
        assert {a.brigade_code for a in officers} == {"st-320302001-enforcement"}
        split = [set(a.grid_codes) for a in officers]
        assert split[0] | split[1] == grids  # the grids split between the two
        assert not split[0] & split[1]
        assert {grid for a in assigned if a.role == "grid_member" for grid in a.grid_codes} == grids
    assert set(duty.watched_grids()) == {
        j.code for j in demo_city.jurisdictions.values() if j.level == "grid" and j.code.startswith("320302001")
    }
    assert all(a.work_phone.startswith("0516-8000") for a in duty.assignments)
