"""Synthetic legacy exports: a month whose published figures are known, and a demo history.

`tianmen_december_2016()` has the published counts of Tianmen's digital city management for
December 2016 (972 cases due to close, 911 closed, 737 closed on time; docs/assessment.md) with
the demo city's codes (cities/xuzhou-demo): the cases, places and units are invented, the counts
are Tianmen's. `demo_history()` makes months of plausible cases for `make run`'s dashboard.

`python -m tools.legacy_samples tianmen|demo FILE` writes one as CSV.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cityconfig.city import DEFAULT_CITY, City, load_city
from schemas.legacy_import import COLUMNS

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIANMEN_DUE, TIANMEN_CLOSED, TIANMEN_ON_TIME = 972, 911, 737
SOURCES = ["patrol"] * 6 + ["hotline"] * 3 + ["whistle", "public"]
SATISFACTION = ["satisfied"] * 7 + ["basically_satisfied"] * 2 + ["unsatisfied", "unreachable"]
DESCRIPTIONS = {
    "01": "井盖破损",
    "02": "道路破损",
    "03": "绿地受损",
    "04": "占道经营",
    "05": "乱堆物料",
    "06": "暴露垃圾",
    "07": "违章搭建",
    "08": "噪声扰民",
    "09": "广告牌匾",
}


def _codes(city: City) -> tuple[list[str], list[str], list[str]]:
    grids = sorted(code for code, j in city.jurisdictions.items() if j.level == "grid")
    categories = sorted(city.categories)
    units = sorted(city.units.by_id) if city.units else []
    return grids, categories, units


def _at(instant: datetime | None) -> str:
    return "" if instant is None else instant.astimezone(SHANGHAI).isoformat()


def _row(
    number: str,
    rng: random.Random,
    codes: tuple[list[str], list[str], list[str]],
    reported: datetime,
    due: datetime,
    outcome: str,
) -> dict[str, str]:
    """One case; `outcome` is on_time, late, special, open or voided."""
    grids, categories, units = codes
    category = rng.choice(categories)
    dispatched = reported + timedelta(minutes=rng.randint(5, 90))
    closed = disposed = voided = None
    kind = ""
    if outcome in ("on_time", "late", "special"):
        disposed = (
            due - timedelta(hours=rng.randint(1, 40))
            if outcome == "on_time"
            else due + timedelta(hours=rng.randint(1, 48))
        )
        disposed = max(disposed, dispatched + timedelta(minutes=30))
        closed = disposed + timedelta(hours=rng.randint(1, 6))
        kind = {"on_time": "normal", "late": "late", "special": "special"}[outcome]
    elif outcome == "voided":
        voided = dispatched + timedelta(hours=rng.randint(1, 20))
    return {
        "case_number": number,
        "source": rng.choice(SOURCES),
        "category_code": category,
        "grid_code": rng.choice(grids),
        "description": DESCRIPTIONS.get(category[:2], "城市管理问题"),
        "reported_at": _at(reported),
        "dispatched_at": _at(dispatched),
        "unit_code": rng.choice(units),
        "disposal_due_at": _at(due),
        "disposed_at": _at(disposed),
        "closed_at": _at(closed),
        "closure_kind": kind,
        "voided_at": _at(voided),
        "rework_count": str(rng.choice([0] * 12 + [1, 1, 2])) if disposed else "0",
        "satisfaction": rng.choice(SATISFACTION) if closed and rng.random() < 0.6 else "",
    }


def tianmen_december_2016(city: City | None = None, voided: int = 23) -> list[dict[str, str]]:
    """972 cases due in December 2016 (911 closed, 737 on time), 23 voided ones (not due), a few from around it."""
    rng, codes = random.Random(2016), _codes(city or load_city(DEFAULT_CITY))
    outcomes = (
        ["on_time"] * TIANMEN_ON_TIME
        + ["late"] * (TIANMEN_CLOSED - TIANMEN_ON_TIME - 12)
        + ["special"] * 12
        + ["open"] * (TIANMEN_DUE - TIANMEN_CLOSED)
        + ["voided"] * voided
    )
    rng.shuffle(outcomes)
    start = datetime(2016, 12, 1, tzinfo=SHANGHAI)
    rows = []
    for n, outcome in enumerate(outcomes, start=1):
        due = start + timedelta(seconds=rng.randint(0, 31 * 86400 - 1))
        reported = due - timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
        rows.append(_row(f"TM2016-{n:05d}", rng, codes, reported, due, outcome))
    for n in range(1, 41):  # due in late November or early January: not December's
        due = start + timedelta(days=rng.choice([-3, -2, -1, 31, 32, 33]), hours=rng.randint(9, 17))
        rows.append(_row(f"TM2016-X{n:04d}", rng, codes, due - timedelta(days=2), due, rng.choice(["on_time", "late"])))
    return rows


def demo_history(end: datetime, days: int = 120, per_day: int = 40, city: City | None = None) -> list[dict[str, str]]:
    """`days` days of cases before `end` for the dashboard, most closed on time, recent ones still open."""
    rng, codes = random.Random(12), _codes(city or load_city(DEFAULT_CITY))
    rows = []
    for day in range(days, 0, -1):
        for n in range(rng.randint(per_day // 2, per_day * 3 // 2)):
            reported = end - timedelta(days=day, seconds=rng.randint(0, 86399))
            due = reported + timedelta(days=rng.randint(1, 5))
            if due > end:
                outcome = "open"
            else:
                outcome = rng.choices(["on_time", "late", "special", "open", "voided"], [80, 10, 2, 4, 4])[0]
            rows.append(
                _row(f"LG{reported.astimezone(SHANGHAI):%Y%m%d}-{day:03d}{n:03d}", rng, codes, reported, due, outcome)
            )
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    kind, target = sys.argv[1], Path(sys.argv[2])
    made = tianmen_december_2016() if kind == "tianmen" else demo_history(datetime.now(SHANGHAI))
    write_csv(made, target)
    print(f"wrote {len(made)} cases to {target}")
