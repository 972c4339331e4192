"""巡查 Patrols and their work logs: the contracts of Intake's patrol module (docs/patrols.md).

A patrol is not a case. Its events travel on Intake's topic (`cases.intake.v1`, through Intake's one
outbox, so in order with the reports filed during it), and the envelope's `case_id` is the
patrol's (or work log's, or grid watch's) own id, the key that keeps a stream's events in order:
a consumer of cases subscribes to the case events and leaves these alone.
Reports filed during a patrol stay ordinary reports: `ReportReceived` carries `patrol_id` and the finding's outcome.

Points are WGS-84 inside, converted at the edge like a report's. Times are UTC instants; days
(`day`) are the city's calendar dates (Asia/Shanghai), as every day-based figure is.
"""

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.base import Event
from schemas.intake import NOT_BLANK, CoordinateSystem, FindingOutcome, GridCode

MAX_POINTS_PER_BATCH = 500
_Note = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrackPointIn(_In):
    """One GPS fix as the officer's device sends it; `seq` numbers the device's fixes of this patrol."""

    seq: int = Field(ge=0, description="序号: the device's running number; a point sent twice is kept once")
    at: AwareDatetime = Field(description="定位时间")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    crs: CoordinateSystem = Field("WGS84", description="Coordinate system of lat/lon (GCJ-02 from AMap, say)")
    accuracy_m: float | None = Field(None, ge=0, le=10_000, description="定位精度, metres")


class PatrolStart(_In):
    """开始巡查: an officer (or a team on a patrol day 巡查日) starts patrolling."""

    patrol_id: UUID | None = Field(None, description="The device's own id for the patrol (an idempotency key)")
    started_at: AwareDatetime | None = Field(None, description="When it started; now if absent")
    team: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=50, description="队员: the other officers' subjects on a team patrol"
    )
    patrol_day: bool = Field(False, description="巡查日: the weekly all-staff patrol day")


class TrackBatch(_In):
    """轨迹: a batch of points, in any order, any of them possibly sent before."""

    points: list[TrackPointIn] = Field(min_length=1, max_length=MAX_POINTS_PER_BATCH)


class PatrolFinish(_In):
    """结束巡查."""

    finished_at: AwareDatetime | None = Field(None, description="When it ended; now if absent")


class WorkLogNote(_In):
    """批注 on a work log."""

    note: _Note


class TrackPoint(BaseModel):
    """A fix as recorded: WGS-84, with the unit grid it falls in (None outside the city)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    seq: int
    at: datetime
    lat: float
    lon: float
    grid_code: str | None = None


class GridVisit(BaseModel):
    """Time and distance spent in one unit grid on one city day of a patrol (a patrol across
    midnight visits the same grid on two days)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    day: date = Field(description="The city's calendar date (Asia/Shanghai)")
    grid_code: GridCode
    seconds: float = Field(ge=0)
    metres: float = Field(ge=0)
    points: int = Field(ge=0)
    first_at: datetime
    last_at: datetime


class PatrolStarted(Event):
    """开始巡查: `case_id` is the patrol's id."""

    type: ClassVar[str] = "intake.PatrolStarted"

    officer: str = Field(description="The verified subject of the officer who started it")
    team: list[str] = Field(default_factory=list)
    unit_code: str = Field(description="The officer's unit (从 the city's duty assignments)")
    brigade_code: str | None = Field(None, description="中队: the officer's brigade")
    assigned_grids: list[str] = Field(default_factory=list, description="定岗: the grids the officer is fixed to")
    patrol_day: bool = False
    started_at: datetime


class TrackPointsRecorded(Event):
    """轨迹: the points of a batch not recorded before (by `seq`), sorted by time."""

    type: ClassVar[str] = "intake.TrackPointsRecorded"

    points: list[TrackPoint]


class PatrolFinished(Event):
    """结束巡查, with what the track shows: points sorted by time, distance along them, and the
    time and distance in each grid on each city day."""

    type: ClassVar[str] = "intake.PatrolFinished"

    officer: str
    started_at: datetime
    finished_at: datetime
    seconds: float = Field(ge=0)
    metres: float = Field(ge=0)
    visits: list[GridVisit] = Field(default_factory=list)
    auto: bool = Field(
        False,
        description="结束 by Intake: left open past the longest patrol, finished at its last point (or its start)",
    )


WorkLogStatus = Literal["draft", "signed_off", "accepted"]


class WorkLogLine(BaseModel):
    """One line of a work log: a patrol or a finding of the day."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["patrol", "finding"]
    at: datetime
    patrol_id: UUID | None = None
    case_id: UUID | None = Field(None, description="The finding's case")
    case_number: str | None = None
    outcome: FindingOutcome | None = None
    grid_codes: list[str] = Field(default_factory=list)
    seconds: float = 0
    metres: float = 0
    text: str = Field(description="What the line says, in Chinese, as printed")


class WorkLogDrafted(Event):
    """工作日志: generated from the day's patrols and reports (again, while it is a draft);
    `case_id` is the log's id, one per officer and city day."""

    type: ClassVar[str] = "intake.WorkLogDrafted"

    officer: str
    day: date
    lines: list[WorkLogLine]
    patrols: int = Field(ge=0)
    seconds: float = Field(ge=0)
    metres: float = Field(ge=0)
    findings: dict[FindingOutcome, int] = Field(default_factory=dict)
    drafted_at: datetime


class WorkLogAnnotated(Event):
    """批注: a note on the log, by the officer or the supervisor."""

    type: ClassVar[str] = "intake.WorkLogAnnotated"

    note: str
    by: str
    annotated_at: datetime


class WorkLogSignedOff(Event):
    """签字: the officer signs the log off; it no longer changes."""

    type: ClassVar[str] = "intake.WorkLogSignedOff"

    by: str
    signed_at: datetime


class WorkLogAccepted(Event):
    """审核通过: the supervisor accepts the signed log."""

    type: ClassVar[str] = "intake.WorkLogAccepted"

    by: str
    accepted_at: datetime


class GridPatrolOverdue(Event):
    """未按时巡查: a grid not patrolled within its required interval; a supervisor sees it.
    `case_id` is the grid watch's id (one per grid)."""

    type: ClassVar[str] = "intake.GridPatrolOverdue"

    grid_code: GridCode
    last_patrolled_at: datetime | None = Field(description="None: never patrolled since the watch began")
    due_at: datetime = Field(description="When a patrol was due at the latest")
    flagged_at: datetime


PATROL_EVENTS: tuple[type[Event], ...] = (
    PatrolStarted,
    TrackPointsRecorded,
    PatrolFinished,
    WorkLogDrafted,
    WorkLogAnnotated,
    WorkLogSignedOff,
    WorkLogAccepted,
    GridPatrolOverdue,
)
