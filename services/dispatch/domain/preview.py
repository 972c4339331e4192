"""派遣规则预演: past cases replayed through a candidate routing table, before and after compared.

Pure: the cases and the candidate tables in, a typed answer out; nothing is read or written.
"Before" is what Dispatch recorded (the case's last routing decision); "after" is what
`choose_route` answers for the same request (category, urgency, place, and the units that had
returned the case by then) under the candidate tables. A case whose last decision a dispatcher
took (`routed_by` set: a reassignment, a review, a re-route) is counted apart, not compared: the
dispatcher's word, not the table, owns it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from cityconfig.routing_table import RoutingTable
from cityconfig.units import Units
from schemas.dispatch import AssignmentOpened, CaseRouted, CaseUnroutable, RoutingReason, UnitRef
from services.dispatch.domain.routing import RouteDecision, RouteRequest, area_of, choose_route, describe, unit_ref

CHANGED_LIMIT = 1000
"""Changed cases listed at most; the total is always counted, so the answer stays bounded."""
REASONS_SHOWN = 3


@dataclass(frozen=True)
class PastCase:
    """A case of the period as Dispatch decided it."""

    opened: AssignmentOpened
    decision: CaseRouted | CaseUnroutable | None
    """The last routing decision of its stream; None while it awaits one (核实, voided, 自行处置)."""
    returned_by: frozenset[str] = frozenset()
    """Units that had returned the case (退单) before that decision: the router left them out."""


@dataclass(frozen=True)
class Decision:
    """One routing decision, explained: the rule, 主办 and 协办, and why."""

    routed: bool
    rule_id: str | None
    lead: UnitRef | None
    assisting: tuple[UnitRef, ...]
    why: str
    """The rule in words, or why no unit could be chosen."""
    reason: RoutingReason | None = None

    @property
    def owner(self) -> str | None:
        return self.lead.unit_code if self.lead else None


@dataclass(frozen=True)
class ChangedCase:
    """A case whose owner (the lead unit, or none) differs under the candidate."""

    case_id: UUID
    case_number: str | None
    category_code: str
    area_code: str | None
    opened_at: datetime
    before: Decision
    after: Decision


@dataclass(frozen=True)
class UnitCount:
    """Cases one unit leads (主办) and assists (协办), before and after."""

    unit_code: str
    unit_name: str
    trade: str | None
    before: int
    after: int
    assisting_before: int
    assisting_after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class UnroutableCategory:
    """A category some of whose cases no unit would take under the candidate."""

    category_code: str
    cases: int
    routed_before: int
    """Of those, how many a unit took under the current tables."""
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PreviewResult:
    compared: int
    """Cases decided by the rules, replayed and compared."""
    manual: int
    """Cases whose last decision a dispatcher took: counted, not compared."""
    undecided: int
    """Cases without a routing decision yet (awaiting confirmation, voided, self-disposed)."""
    changed_total: int
    changed: tuple[ChangedCase, ...]
    assisting_changed: int
    """Cases whose owner stays but whose assisting units change."""
    unroutable_before: int
    unroutable_after: int
    units: tuple[UnitCount, ...]
    unroutable: tuple[UnroutableCategory, ...]


@dataclass
class _Unroutable:
    cases: int = 0
    routed_before: int = 0
    reasons: list[str] = field(default_factory=list)


class Replay:
    """The comparison, fed one case at a time so a long period never sits in memory at once."""

    def __init__(self, units: Units, table: RoutingTable, limit: int = CHANGED_LIMIT) -> None:
        self.units, self.table, self.limit = units, table, limit
        self.compared = self.manual = self.undecided = self.changed_total = self.assisting_changed = 0
        self.unroutable_before = self.unroutable_after = 0
        self.changed: list[ChangedCase] = []
        self.lead: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
        self.assist: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
        self.names: dict[str, tuple[str, str | None]] = {}
        self.unroutable: dict[str, _Unroutable] = {}
        # choose_route depends on the case only through these; a period repeats them a lot.
        self._decided: dict[tuple[str, str, str | None, str | None, frozenset[str]], Decision] = {}

    def add(self, case: PastCase) -> None:
        if case.decision is None:
            self.undecided += 1
            return
        if isinstance(case.decision, CaseRouted) and case.decision.routed_by is not None:
            self.manual += 1
            return
        self.compared += 1
        before, after = recorded(case.decision), self.candidate(case)
        for moment, decision in (("before", before), ("after", after)):
            self._count(moment, decision)
        if not before.routed:
            self.unroutable_before += 1
        if not after.routed:
            self.unroutable_after += 1
            self._note_unroutable(case.opened.category_code, before, after)
        if before.owner != after.owner:
            self.changed_total += 1
            if len(self.changed) < self.limit:
                opened = case.opened
                self.changed.append(ChangedCase(
                    opened.case_id, opened.case_number, opened.category_code, area_of(opened.place)[0],
                    opened.opened_at, before, after,
                ))  # fmt: skip
        elif _assisting(before) != _assisting(after):
            self.assisting_changed += 1

    def candidate(self, case: PastCase) -> Decision:
        """What the candidate tables decide for the same request."""
        opened = case.opened
        area, level = area_of(opened.place)
        key = (opened.category_code, opened.urgency, area, level, case.returned_by)
        if (known := self._decided.get(key)) is not None:
            return known
        request = RouteRequest(opened.category_code, opened.urgency, opened.place, case.returned_by)
        outcome = choose_route(request, self.units, self.table)
        if isinstance(outcome, RouteDecision):
            rule = self.table.rules[outcome.reason.rule_id]
            decision = Decision(
                True, rule.id, unit_ref(outcome.lead), tuple(unit_ref(u) for u in outcome.assisting),
                describe(rule), outcome.reason,
            )  # fmt: skip
        else:
            decision = Decision(False, None, None, (), outcome.reason)
        self._decided[key] = decision
        return decision

    def _count(self, moment: str, decision: Decision) -> None:
        if decision.lead is None:
            return
        self.lead[moment][decision.lead.unit_code] += 1
        for ref in (decision.lead, *decision.assisting):
            self.names.setdefault(ref.unit_code, (ref.unit_name, ref.trade or None))
        for ref in decision.assisting:
            self.assist[moment][ref.unit_code] += 1

    def _note_unroutable(self, category_code: str, before: Decision, after: Decision) -> None:
        entry = self.unroutable.setdefault(category_code, _Unroutable())
        entry.cases += 1
        entry.routed_before += before.routed
        if after.why not in entry.reasons and len(entry.reasons) < REASONS_SHOWN:
            entry.reasons.append(after.why)

    def result(self) -> PreviewResult:
        codes = sorted({code for counts in (*self.lead.values(), *self.assist.values()) for code in counts})
        units = tuple(
            UnitCount(
                code,
                *self._name(code),
                self.lead["before"][code],
                self.lead["after"][code],
                self.assist["before"][code],
                self.assist["after"][code],
            )
            for code in codes
        )
        unroutable = tuple(
            UnroutableCategory(code, entry.cases, entry.routed_before, tuple(entry.reasons))
            for code, entry in sorted(self.unroutable.items())
        )
        return PreviewResult(
            self.compared, self.manual, self.undecided, self.changed_total, tuple(self.changed),
            self.assisting_changed, self.unroutable_before, self.unroutable_after, units, unroutable,
        )  # fmt: skip

    def _name(self, code: str) -> tuple[str, str | None]:
        """The candidate table's name for a unit, else the one its last recorded decision gave."""
        unit = self.units.get(code)
        return (unit.name, unit.trade) if unit else self.names.get(code, (code, None))


def recorded(decision: CaseRouted | CaseUnroutable) -> Decision:
    """The decision as Dispatch recorded it."""
    if isinstance(decision, CaseUnroutable):
        return Decision(False, None, None, (), decision.reason)
    lead = UnitRef(unit_code=decision.unit_code, unit_name=decision.unit_name, trade=decision.trade or "")
    why = decision.reason.rule if decision.reason else decision.rule
    rule_id = decision.reason.rule_id if decision.reason else decision.rule
    return Decision(True, rule_id, lead, tuple(decision.assisting), why, decision.reason)


def compare(cases: Iterable[PastCase], units: Units, table: RoutingTable, limit: int = CHANGED_LIMIT) -> PreviewResult:
    """Past cases through the candidate tables: counts per unit, changed owners, unroutable categories."""
    replay = Replay(units, table, limit)
    for case in cases:
        replay.add(case)
    return replay.result()


def _assisting(decision: Decision) -> frozenset[str]:
    return frozenset(ref.unit_code for ref in decision.assisting)
