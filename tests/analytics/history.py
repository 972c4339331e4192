"""A known event history for Analytics' tests, published to Kafka as the services' relays would.

Each step is a contract example with one case's facts, sent with the CloudEvents headers a relay
sets (ce_time when it happened, ce_recordedtime when its store recorded it), on the owning
service's topic under the test's prefix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer

from casekit.kafka.cloudevents import SPEC_VERSION
from schemas import closure as c
from schemas import dispatch as d
from schemas import intake as i
from schemas import topics
from schemas.base import SCHEMA_ID_BASE, Event
from schemas.dispatch import TimeLimit
from schemas.examples import EXAMPLES
from schemas.hotline import Outcome, Solved

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID = "320303001001001"
PLACE = i.Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
LIMIT = TimeLimit(amount=5, unit="working_days")
TOPIC_OF = {"intake": topics.INTAKE_EVENTS, "dispatch": topics.DISPATCH_EVENTS, "closure": topics.CLOSURE_EVENTS}


def local(day: int, hour: int = 9, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def deadline(stage: c.Stage, start: datetime, due: datetime) -> c.Deadline:
    return c.Deadline(stage=stage, limit=LIMIT, started_at=start, warn_at=due - timedelta(hours=1), due_at=due)


@dataclass(frozen=True)
class Step:
    service: str
    event: Event
    occurred_at: datetime
    recorded_at: datetime
    actor: str


@dataclass
class Story:
    """One case's events, told in order; `recorded` overrides when a step was recorded (a correction)."""

    number: int
    channel: i.Channel = "grid"
    category: str = "01001"
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    steps: list[Step] = field(default_factory=list)
    actor: str = "user:grid-li"

    @property
    def case_number(self) -> str:
        return f"GR-20261201-{self.number:06d}"

    def _add(
        self, service: str, cls: type[Event], at: datetime, recorded: datetime | None = None, **update: Any
    ) -> Story:
        event = EXAMPLES[cls].model_copy(update={"case_id": self.case_id, **update})
        assert isinstance(event, Event)
        self.steps.append(Step(service, event, at, recorded or at, self.actor))
        return self

    def reported(self, at: datetime, self_disposed: bool = False, place: i.Place = PLACE) -> Story:
        return self._add(
            "intake",
            i.ReportReceived,
            at,
            case_number=self.case_number,
            channel=self.channel,
            category_code=self.category,
            place=place,
            received_at=at,
            self_disposed=self_disposed,
            self_disposed_by=self.actor if self_disposed else None,
            needs_confirmation=False,
        )

    def linked_to(self, other: Story, at: datetime) -> Story:
        return self._add(
            "intake",
            i.ReportLinked,
            at,
            case_number=self.case_number,
            linked_to_case_id=other.case_id,
            channel=self.channel,
            category_code=self.category,
            received_at=at,
        )

    def confirmed(self, at: datetime, due: datetime, late: bool = False) -> Story:
        self._add("dispatch", d.ConfirmationRequested, at, due_at=due, requested_at=at)
        return self._add(
            "dispatch", d.CaseConfirmed, at + timedelta(hours=1), late=late, confirmed_at=at + timedelta(hours=1)
        )

    def voided_in_dispatch(self, at: datetime) -> Story:
        return self._add("dispatch", d.CaseVoided, at, voided_at=at)

    def routed(self, at: datetime, unit: str) -> Story:
        return self._add(
            "dispatch",
            d.CaseRouted,
            at,
            unit_code=unit,
            unit_name=f"unit {unit}",
            category_code=self.category,
            routed_at=at,
            sign_for_due_at=at + timedelta(hours=2),
        )

    def signed(self, at: datetime, unit: str, late: bool = False) -> Story:
        return self._add("dispatch", d.CaseSignedFor, at, unit_code=unit, role="lead", late=late, signed_at=at)

    def self_disposal(self, at: datetime, unit: str) -> Story:
        return self._add(
            "dispatch", d.SelfDisposalRecorded, at, unit_code=unit, recorded_at=at, category_code=self.category
        )

    def opened(self, at: datetime, unit: str, due: datetime, self_disposed: bool = False) -> Story:
        return self._add(
            "closure",
            c.ClosureOpened,
            at,
            unit_code=unit,
            unit_name=f"unit {unit}",
            opened_at=at,
            case_number=self.case_number,
            self_disposed=self_disposed,
            deadlines=[] if self_disposed else [deadline("disposal", at, due)],
        )

    def disposed(self, at: datetime, late: bool = False, method: str = "service", rounds: int = 1) -> Story:
        return self._add(
            "closure",
            c.DisposalReported,
            at,
            late=late,
            method=method,
            round=rounds,
            reported_at=at,
            verification=deadline("verification", at, at + timedelta(hours=2)),
        )

    def verified(self, at: datetime, late: bool = False) -> Story:
        return self._add("closure", c.VerificationPassed, at, late=late, verified_at=at)

    def failed(self, at: datetime, rework: int) -> Story:
        self._add("closure", c.VerificationFailed, at, late=False, verified_at=at)
        return self._add(
            "closure",
            c.ReworkOrdered,
            at,
            rework_count=rework,
            ordered_at=at,
            disposal=deadline("disposal", at, at + timedelta(days=1)),
        )

    def closed(self, at: datetime, kind: c.ClosureKind = "normal", recorded: datetime | None = None) -> Story:
        return self._add(
            "closure",
            c.CaseClosed,
            at,
            recorded,
            kind=kind,
            closed_at=at,
            callback=deadline("callback", at, at + timedelta(days=1)),
        )

    def called_back(
        self, at: datetime, result: c.CallbackResult, recorded: datetime | None = None, solved: Solved | None = None
    ) -> Story:
        return self._add(
            "closure", c.CallbackRecorded, at, recorded, result=result, called_at=at, late=False, solved=solved
        )

    def work_order(self, at: datetime, due: datetime) -> Story:
        """接诉即办: Dispatch opened it with the hotline's due time (the reply is owed by then)."""
        return self._add(
            "dispatch", d.AssignmentOpened, at, case_number=self.case_number, channel="hotline",
            category_code=self.category, received_at=at, opened_at=at, reply_due_at=due,
            work_order_no=f"12345-{self.number:06d}",
        )  # fmt: skip

    def replied(self, at: datetime, outcome: Outcome = "solved", late: bool = False) -> Story:
        return self._add("closure", c.CaseReplied, at, outcome=outcome, late=late, replied_at=at)

    def urged(self, at: datetime, notice_no: str) -> Story:
        return self._add("closure", c.CaseUrged, at, notice_no=notice_no, issued_at=at, urged_at=at)

    def reopened(self, at: datetime, recorded: datetime | None = None) -> Story:
        return self._add(
            "closure",
            c.CaseReopened,
            at,
            recorded,
            reopen_count=1,
            cause="unsatisfied",
            reopened_at=at,
            disposal=deadline("disposal", at, at + timedelta(days=3)),
        )

    def parked(self, at: datetime) -> Story:
        return self._add("closure", c.CaseParked, at, parked_at=at)

    def resumed(self, at: datetime, due: datetime) -> Story:
        return self._add("closure", c.CaseResumed, at, resumed_at=at, deadlines=[deadline("disposal", at, due)])

    def voided_in_closure(self, at: datetime) -> Story:
        return self._add("closure", c.ClosureVoided, at, voided_at=at)


def headers(step: Step) -> list[tuple[str, bytes]]:
    event = step.event
    return [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", str(uuid.uuid4()).encode()),
        ("ce_source", f"/city-cases/{step.service}".encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", step.occurred_at.isoformat().encode()),
        ("ce_recordedtime", step.recorded_at.isoformat().encode()),
        ("ce_schemaversion", str(event.schema_version).encode()),
        ("ce_dataschema", f"{SCHEMA_ID_BASE}:{event.type}:{event.schema_version}".encode()),
        ("ce_actor", step.actor.encode()),
        ("ce_subject", str(event.case_id).encode()),
        ("content-type", b"application/json"),
    ]


async def publish(producer: AIOKafkaProducer, prefix: str, stories: list[Story]) -> int:
    """Every step of every story on its service's topic, keyed by case like the relays; how many."""
    steps = [step for story in stories for step in story.steps]
    for step in steps:
        await producer.send_and_wait(
            f"{prefix}{TOPIC_OF[step.service].name}",
            step.event.model_dump_json().encode(),
            key=str(step.event.case_id).encode(),
            headers=headers(step),
        )
    return len(steps)


# The known history the hand-computed figures are of (test_assessment.py, test_origin.py).
U1, U2 = "cm-320303001001-sanitation", "st-320303001-sanitation"
DUE = local(10, 17)  # the disposal deadline of most cases: Thursday 10 December 2026, 17:00
CORRECTED = local(3, 10, month=1, year=2027)  # the call-back and reopening of F, recorded in January


def history() -> dict[str, Story]:
    """U1: A (hotline, on time, merged duplicate H), B (rework), C (late), G (self-disposed).
    U2: D (parked, open), E (voided: not due), F (hotline; closed in December, reopened in January).
    I (U1) falls due in November: outside the period."""
    a = Story(1, channel="hotline")
    a.reported(local(7)).routed(local(7, 10), U1).signed(local(7, 11), U1).opened(local(7, 10), U1, DUE)
    a.disposed(local(8)).verified(local(8, 10)).closed(local(8, 11)).called_back(local(9), "satisfied", solved="solved")
    h = Story(8).linked_to(a, local(7, 12))
    b = Story(2)
    b.reported(local(7)).routed(local(7, 10), U1).signed(local(7, 12), U1).opened(local(7, 10), U1, DUE)
    b.disposed(local(8)).failed(local(8, 10), rework=1).disposed(local(11), late=True, rounds=2)
    b.verified(local(11, 11)).closed(local(11, 12))
    c = Story(3).reported(local(7)).confirmed(local(7), due=local(7, 12)).routed(local(7, 10), U1)
    c.signed(local(7, 11), U1).opened(local(7, 10), U1, DUE).disposed(local(11), late=True, method="enforcement")
    c.verified(local(11, 14), late=True).closed(local(11, 15), kind="late")
    g = (
        Story(7)
        .reported(local(7), self_disposed=True)
        .self_disposal(local(7), U1)
        .opened(local(7), U1, DUE, self_disposed=True)
    )
    g.verified(local(7, 11)).closed(local(7, 12))
    d = Story(4).reported(local(7)).routed(local(7, 10), U2).signed(local(7, 11), U2)
    d.opened(local(7, 10), U2, DUE).parked(local(8)).resumed(local(14), due=local(20, 17))
    e = Story(5).reported(local(7)).routed(local(7, 10), U2).opened(local(7, 10), U2, DUE).voided_in_closure(local(8))
    f = Story(6, channel="hotline").reported(local(7)).routed(local(7, 10), U2).signed(local(7, 13), U2, late=True)
    f.opened(local(7, 10), U2, DUE).disposed(local(9), method="management").verified(local(9, 10))
    f.closed(local(9, 11)).called_back(local(10), "unsatisfied", recorded=CORRECTED, solved="unsolved")
    f.reopened(local(10, 1), recorded=CORRECTED)
    i = Story(9).reported(local(20, month=11)).routed(local(20, 10, month=11), U1)
    i.opened(local(20, 10, month=11), U1, local(25, 17, month=11)).disposed(local(21, month=11))
    return {"a": a, "h": h, "b": b, "c": c, "g": g, "d": d, "e": e, "f": f, "i": i}
