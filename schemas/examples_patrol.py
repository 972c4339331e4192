"""Examples of the patrol module's events, for the AsyncAPI document and the contract tests.

One officer's morning patrol on Tuesday 1 December 2026, 09:00 to 10:30 local time (01:00 to
02:30 UTC) in two grids of 万通社区, its work log drafted, annotated, signed off and accepted, and
a grid nobody patrolled that day flagged.
"""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from schemas import patrol as p

PATROL_ID = UUID("0193a1b2-0000-7000-8000-00000000a001")
LOG_ID = UUID("5e0b6f3c-1d2e-5f40-9a1b-2c3d4e5f6a70")
WATCH_ID = UUID("7a1c2d3e-4f50-5a6b-8c7d-9e0f1a2b3c4d")
OFFICER = "officer-wang"
UNIT = "cm-320302001002-enforcement"
BRIGADE = "st-320302001-enforcement"
GRIDS = ["320302001002001", "320302001002002"]
STARTED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
FINISHED = STARTED + timedelta(minutes=90)
DAY = date(2026, 12, 1)
_VISITS = [
    p.GridVisit(day=DAY, grid_code=GRIDS[0], seconds=3000, metres=2100, points=51, first_at=STARTED,
                last_at=STARTED + timedelta(seconds=3000)),
    p.GridVisit(day=DAY, grid_code=GRIDS[1], seconds=2400, metres=1650, points=41,
                first_at=STARTED + timedelta(seconds=3000), last_at=FINISHED),
]  # fmt: skip

PATROL_EXAMPLES: dict[type[BaseModel], BaseModel] = {
    p.PatrolStarted: p.PatrolStarted(
        case_id=PATROL_ID, officer=OFFICER, unit_code=UNIT, brigade_code=BRIGADE, assigned_grids=GRIDS,
        started_at=STARTED,
    ),
    p.TrackPointsRecorded: p.TrackPointsRecorded(
        case_id=PATROL_ID,
        points=[
            p.TrackPoint(seq=0, at=STARTED, lat=34.2655, lon=117.1862, grid_code=GRIDS[0]),
            p.TrackPoint(seq=1, at=STARTED + timedelta(seconds=60), lat=34.2659, lon=117.1868, grid_code=GRIDS[0]),
        ],
    ),
    p.PatrolFinished: p.PatrolFinished(
        case_id=PATROL_ID, officer=OFFICER, started_at=STARTED, finished_at=FINISHED, seconds=5400, metres=3750,
        visits=_VISITS,
    ),
    p.WorkLogDrafted: p.WorkLogDrafted(
        case_id=LOG_ID, officer=OFFICER, day=DAY, patrols=1, seconds=5400, metres=3750,
        findings={"fixed_on_spot": 1, "handed_over": 1},
        lines=[
            p.WorkLogLine(kind="patrol", at=STARTED, patrol_id=PATROL_ID, grid_codes=GRIDS, seconds=5400,
                          metres=3750, text="09:00–10:30 巡查 2 个网格, 3.75 公里"),
            p.WorkLogLine(kind="finding", at=STARTED + timedelta(minutes=20), patrol_id=PATROL_ID,
                          case_id=UUID("0193a1b2-0000-7000-8000-00000000c001"), case_number="GR-20261201-000004",
                          outcome="fixed_on_spot", grid_codes=GRIDS[:1], text="09:20 当场处置: 乱堆物料"),
            p.WorkLogLine(kind="finding", at=STARTED + timedelta(minutes=65), patrol_id=PATROL_ID,
                          case_id=UUID("0193a1b2-0000-7000-8000-00000000c002"), case_number="GR-20261201-000009",
                          outcome="handed_over", grid_codes=GRIDS[1:], text="10:05 交办: 井盖破损"),
        ],
        drafted_at=FINISHED + timedelta(hours=8),
    ),
    p.WorkLogAnnotated: p.WorkLogAnnotated(
        case_id=LOG_ID, note="下午参加社区协调会", by=f"user:{OFFICER}",
        annotated_at=FINISHED + timedelta(hours=8, minutes=5),
    ),
    p.WorkLogSignedOff: p.WorkLogSignedOff(
        case_id=LOG_ID, by=f"user:{OFFICER}", signed_at=FINISHED + timedelta(hours=8, minutes=6)
    ),
    p.WorkLogAccepted: p.WorkLogAccepted(
        case_id=LOG_ID, by="user:supervisor-li", accepted_at=FINISHED + timedelta(hours=24)
    ),
    p.GridPatrolOverdue: p.GridPatrolOverdue(
        case_id=WATCH_ID, grid_code="320302001003001", last_patrolled_at=STARTED - timedelta(days=2),
        due_at=STARTED - timedelta(days=1), flagged_at=STARTED - timedelta(days=1),
    ),
}  # fmt: skip
