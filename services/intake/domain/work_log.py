"""The WorkLog aggregate (工作日志): one officer's log of one city day.

Drafted from the day's finished patrols and the officer's findings, and drafted again while it is
a draft; annotated (批注) by the officer or a supervisor; signed off (签字) by the officer alone,
after which it no longer changes; accepted (审核通过) by a supervisor once signed. A patrol across
midnight counts on each day for the part of it (its visits) that falls on that day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal, assert_never
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from casekit.decider import Decider
from casekit.errors import Forbidden, RuleViolation
from schemas.intake import FindingOutcome
from schemas.patrol import GridVisit, WorkLogAccepted, WorkLogAnnotated, WorkLogDrafted, WorkLogLine, WorkLogSignedOff

WorkLogEvent = WorkLogDrafted | WorkLogAnnotated | WorkLogSignedOff | WorkLogAccepted
Status = Literal["new", "draft", "signed_off", "accepted"]
NAMESPACE = uuid5(NAMESPACE_URL, "urn:casekit:intake:work-log")
OUTCOME_WORDS: dict[FindingOutcome, str] = {
    "fixed_on_spot": "当场处置",
    "own_powers": "自行处理",
    "handed_over": "交办",
}


@dataclass(frozen=True)
class Note:
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class WorkLog:
    """工作日志: where one officer's log of one day stands."""

    status: Status = "new"
    officer: str | None = None
    day: date | None = None
    drafted: WorkLogDrafted | None = None
    notes: tuple[Note, ...] = ()
    signed_by: str | None = None
    signed_at: datetime | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None


@dataclass(frozen=True)
class PatrolFacts:
    """A finished patrol as the log reads it."""

    patrol_id: UUID
    started_at: datetime
    finished_at: datetime
    seconds: float
    metres: float
    visits: Sequence[GridVisit]


@dataclass(frozen=True)
class FindingFacts:
    """A grid report the officer filed that day."""

    case_id: UUID
    case_number: str
    at: datetime
    outcome: FindingOutcome
    category_name: str
    grid_code: str | None
    patrol_id: UUID | None


@dataclass(frozen=True)
class Who:
    """The verified actor, and whether they act as a supervisor."""

    actor: str
    subject: str
    supervisor: bool


@dataclass(frozen=True)
class DraftLog:
    log_id: UUID
    officer: str
    day: date
    patrols: Sequence[PatrolFacts]
    findings: Sequence[FindingFacts]
    zone: ZoneInfo
    by: Who
    at: datetime


def log_id(officer: str, day: date) -> UUID:
    """One log per officer and city day: the same id wherever it is computed."""
    return uuid5(NAMESPACE, f"{officer}/{day.isoformat()}")


def stream_id(log: UUID) -> str:
    return f"work-log-{log}"


def decide_draft(state: WorkLog, cmd: DraftLog) -> list[WorkLogEvent]:
    """Generates the log from the day's facts; the same facts again change nothing."""
    _check_officer_or_supervisor(cmd.by, cmd.officer)
    if state.status not in ("new", "draft"):
        raise RuleViolation(f"the work log of {cmd.officer} for {cmd.day} is signed off; it no longer changes")
    patrol_lines = [line for patrol in cmd.patrols if (line := patrol_line(patrol, cmd.day, cmd.zone))]
    finding_lines = [finding_line(finding, cmd.zone) for finding in cmd.findings]
    lines = sorted([*patrol_lines, *finding_lines], key=lambda line: (line.at, line.kind != "patrol"))
    counts = Counter(finding.outcome for finding in cmd.findings)
    drafted = WorkLogDrafted(
        case_id=cmd.log_id,
        officer=cmd.officer,
        day=cmd.day,
        lines=lines,
        patrols=len(patrol_lines),
        seconds=round(sum(line.seconds for line in patrol_lines), 3),
        metres=round(sum(line.metres for line in patrol_lines), 1),
        findings={outcome: counts[outcome] for outcome in OUTCOME_WORDS if counts[outcome]},
        drafted_at=cmd.at,
    )
    if state.drafted is not None and _content(state.drafted) == _content(drafted):
        return []
    return [drafted]


def patrol_line(patrol: PatrolFacts, day: date, zone: ZoneInfo) -> WorkLogLine | None:
    """The part of a patrol on `day`: all of it when it began and ended that day (stretches outside the
    city's grids included), else its visits of that day (split at midnight by grid)."""
    one_day = patrol.started_at.astimezone(zone).date() == patrol.finished_at.astimezone(zone).date() == day
    if one_day or (not patrol.visits and patrol.started_at.astimezone(zone).date() == day):
        start, end, seconds, metres = patrol.started_at, patrol.finished_at, patrol.seconds, patrol.metres
        grids = list(dict.fromkeys(v.grid_code for v in patrol.visits))
    elif not patrol.visits:
        return None
    else:
        visits = [visit for visit in patrol.visits if visit.day == day]
        if not visits:
            return None
        start, end = min(v.first_at for v in visits), max(v.last_at for v in visits)
        seconds, metres = sum(v.seconds for v in visits), sum(v.metres for v in visits)
        grids = list(dict.fromkeys(v.grid_code for v in visits))
    text = f"{_hm(start, zone)}–{_hm(end, zone)} 巡查 {len(grids)} 个网格, {metres / 1000:.2f} 公里"
    return WorkLogLine(kind="patrol", at=start, patrol_id=patrol.patrol_id, grid_codes=grids,
                       seconds=round(seconds, 3), metres=round(metres, 1), text=text)  # fmt: skip


def finding_line(finding: FindingFacts, zone: ZoneInfo) -> WorkLogLine:
    return WorkLogLine(
        kind="finding", at=finding.at, patrol_id=finding.patrol_id, case_id=finding.case_id,
        case_number=finding.case_number, outcome=finding.outcome,
        grid_codes=[finding.grid_code] if finding.grid_code else [],
        text=f"{_hm(finding.at, zone)} {OUTCOME_WORDS[finding.outcome]}: {finding.category_name}",
    )  # fmt: skip


def decide_annotate(state: WorkLog, log: UUID, note: str, by: Who, at: datetime) -> list[WorkLogEvent]:
    officer = _drafted(state, log)
    _check_officer_or_supervisor(by, officer)
    if state.status == "accepted":
        raise RuleViolation("the work log is accepted; it takes no more notes")
    return [WorkLogAnnotated(case_id=log, note=note, by=by.actor, annotated_at=at)]


def decide_sign_off(state: WorkLog, log: UUID, by: Who, at: datetime) -> list[WorkLogEvent]:
    officer = _drafted(state, log)
    if by.subject != officer:
        raise Forbidden("only the officer signs their own work log off")
    if state.status != "draft":
        raise RuleViolation(f"the work log is {state.status.replace('_', ' ')}, not a draft")
    return [WorkLogSignedOff(case_id=log, by=by.actor, signed_at=at)]


def decide_accept(state: WorkLog, log: UUID, by: Who, at: datetime) -> list[WorkLogEvent]:
    _drafted(state, log)
    if not by.supervisor:
        raise Forbidden("only a supervisor accepts a work log")
    if state.status != "signed_off":
        raise RuleViolation("the work log is accepted once the officer has signed it off")
    return [WorkLogAccepted(case_id=log, by=by.actor, accepted_at=at)]


def _drafted(state: WorkLog, log: UUID) -> str:
    if state.officer is None:
        raise RuleViolation(f"work log {log} has not been drafted")
    return state.officer


def _check_officer_or_supervisor(by: Who, officer: str) -> None:
    if by.subject != officer and not by.supervisor:
        raise Forbidden("a work log is its officer's, or a supervisor's to look after")


def _content(drafted: WorkLogDrafted) -> dict[str, object]:
    return drafted.model_dump(exclude={"drafted_at"})


def _hm(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M")


def evolve(state: WorkLog, event: WorkLogEvent) -> WorkLog:
    match event:
        case WorkLogDrafted():
            return replace(state, status="draft", officer=event.officer, day=event.day, drafted=event)
        case WorkLogAnnotated():
            return replace(state, notes=(*state.notes, Note(event.note, event.by, event.annotated_at)))
        case WorkLogSignedOff():
            return replace(state, status="signed_off", signed_by=event.by, signed_at=event.signed_at)
        case WorkLogAccepted():
            return replace(state, status="accepted", accepted_by=event.by, accepted_at=event.accepted_at)
        case _:
            assert_never(event)


DECIDER: Decider[WorkLog, WorkLogEvent] = Decider(
    initial=WorkLog(), evolve=evolve, events=(WorkLogDrafted, WorkLogAnnotated, WorkLogSignedOff, WorkLogAccepted)
)
