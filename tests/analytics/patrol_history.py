"""A known patrol history for Analytics' patrol tests (test_patrol_coverage.py, test_officer_assessment.py).

白云社区 (320302001003) has four unit grids, G1 to G4. Two officers of one brigade (中队 B1) and one of
another (B2); all times are the city's (Asia/Shanghai):

- 张 (officer-zhang), B1, fixed to G1 and G2; 刘 (officer-liu), B1, fixed to G3 and G4; 陈 (officer-chen),
  B2, fixed to G4, patrolled only in November.
- P1 张, Wed 9 Dec 09:00–10:30: G1 3000 s 2100 m, G2 2400 s 1650 m.
- P2 刘, Wed 9 Dec 14:00–15:10: G3 3600 s 2500 m, G2 600 s 300 m (not his grid).
- P3 张, Wed 9 Dec 23:30 – Thu 10 Dec 00:40, across midnight: 9 Dec G2 1800 s 1200 m;
  10 Dec G2 600 s 400 m, G1 1800 s 1300 m.
- P0 陈, Mon 30 Nov: G4 1200 s 900 m.
- Findings (grid reports with an outcome): F1 张 G1 fixed on the spot 9 Dec 09:20 (P1); F2 张 G2 handed
  over 10:05 (P1); F3 刘 G3 own powers 14:30 (P2); F4 刘 G3 fixed on the spot 14:50 (P2); F5 张 G2 fixed
  on the spot Thu 10 Dec 00:10 (P3: 16:10 UTC on the 9th, but the city's 10th).
- R1 张, a grid report without a patrol or an outcome, G1, Thu 3 Dec 10:00.
- 12345: H1 in G1 on 5 Dec, H2 in G4 on 12 Dec.
- Flags (未按时巡查): G4 on Tue 8 Dec 20:00 (never patrolled since); G3 on Wed 9 Dec 08:00 (P2 was there at 14:00).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from schemas import intake as i
from schemas import patrol as p
from tests.analytics.history import Story, local

AREA = "320302001003"
G1, G2, G3, G4 = (f"{AREA}00{n}" for n in range(1, 5))
ZHANG, LIU, CHEN = "officer-zhang", "officer-liu", "officer-chen"
B1, B2 = "st-320302001-enforcement", "st-320302002-enforcement"
UNIT = "cm-320302001003-enforcement"
ASSIGNED = {ZHANG: (B1, [G1, G2]), LIU: (B1, [G3, G4]), CHEN: (B2, [G4])}


def place(grid: str) -> i.Place:
    return i.Place(district_code=grid[:6], street_code=grid[:9], community_code=grid[:12], grid_code=grid)


def patrol(officer: str, start: datetime, end: datetime, visits: list[tuple[int, str, float, float]]) -> Story:
    """A patrol's three events; visits are (city day of December, or 30 for November, grid, seconds, metres)."""
    story = Story(0, case_id=uuid.uuid4(), actor=f"user:{officer}")
    brigade, grids = ASSIGNED[officer]
    story._add("intake", p.PatrolStarted, start, officer=officer, team=[], unit_code=UNIT, brigade_code=brigade,
               assigned_grids=grids, patrol_day=False, started_at=start)  # fmt: skip
    story._add("intake", p.TrackPointsRecorded, start + timedelta(minutes=1))
    gridvisits, at = [], start
    for day, grid, seconds, metres in visits:
        month = 11 if day == 30 else 12
        first = max(at, local(day, 0, month=month))
        gridvisits.append(
            p.GridVisit(day=local(day, 0, month=month).date(), grid_code=grid, seconds=seconds, metres=metres,
                        points=int(seconds // 60), first_at=first, last_at=first + timedelta(seconds=seconds))
        )  # fmt: skip
        at = first + timedelta(seconds=seconds)
    total = sum(v.seconds for v in gridvisits), sum(v.metres for v in gridvisits)
    story._add("intake", p.PatrolFinished, end, officer=officer, started_at=start, finished_at=end,
               seconds=total[0], metres=total[1], visits=gridvisits)  # fmt: skip
    return story


def report(number: int, officer: str | None, channel: i.Channel, grid: str, at: datetime, **more: Any) -> Story:
    story = Story(number, channel=channel, actor=f"user:{officer}" if officer else "system:hotline")
    fixed = more.get("finding") == "fixed_on_spot"
    return story._add("intake", i.ReportReceived, at, case_number=story.case_number, channel=channel,
                      category_code="01001", place=place(grid), received_at=at, needs_confirmation=False,
                      hotline=None, external_id=None, self_disposed=fixed,
                      self_disposed_by=story.actor if fixed else None, **more)  # fmt: skip


def flag(grid: str, at: datetime) -> Story:
    story = Story(0, actor="system:intake")
    return story._add("intake", p.GridPatrolOverdue, at, grid_code=grid, last_patrolled_at=None,
                      due_at=at, flagged_at=at)  # fmt: skip


def patrol_history() -> dict[str, Story]:
    p1 = patrol(ZHANG, local(9, 9), local(9, 10) + timedelta(minutes=30), [(9, G1, 3000, 2100), (9, G2, 2400, 1650)])
    p2 = patrol(LIU, local(9, 14), local(9, 15) + timedelta(minutes=10), [(9, G3, 3600, 2500), (9, G2, 600, 300)])
    p3 = patrol(ZHANG, local(9, 23) + timedelta(minutes=30), local(10, 0) + timedelta(minutes=40),
                [(9, G2, 1800, 1200), (10, G2, 600, 400), (10, G1, 1800, 1300)])  # fmt: skip
    p0 = patrol(CHEN, local(30, 9, month=11), local(30, 10, month=11), [(30, G4, 1200, 900)])
    minutes = timedelta(minutes=1)
    f = {
        "f1": report(11, ZHANG, "grid", G1, local(9, 9) + 20 * minutes, finding="fixed_on_spot", patrol_id=p1.case_id),
        "f2": report(12, ZHANG, "grid", G2, local(9, 10) + 5 * minutes, finding="handed_over", patrol_id=p1.case_id),
        "f3": report(13, LIU, "grid", G3, local(9, 14) + 30 * minutes, finding="own_powers", patrol_id=p2.case_id,
                     own_powers_unit=UNIT),
        "f4": report(14, LIU, "grid", G3, local(9, 14) + 50 * minutes, finding="fixed_on_spot", patrol_id=p2.case_id),
        "f5": report(15, ZHANG, "grid", G2, local(10, 0) + 10 * minutes, finding="fixed_on_spot",
                     patrol_id=p3.case_id),
    }  # fmt: skip
    others = {
        "r1": report(16, ZHANG, "grid", G1, local(3, 10)),
        "h1": report(17, None, "hotline", G1, local(5, 11)),
        "h2": report(18, None, "hotline", G4, local(12, 16)),
        "flag_g4": flag(G4, local(8, 20)),
        "flag_g3": flag(G3, local(9, 8)),
    }
    return {"p0": p0, "p1": p1, "p2": p2, "p3": p3, **f, **others}


STORIES = patrol_history()
