"""`POST /v1/routing/preview` (派遣规则预演): what a candidate routing table would change on past cases.

Reads Dispatch's own events and nothing else; writes nothing (docs/routing-preview.md). Rate
limited like a write (schemas/access.py): one call replays a whole period.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from casekit.access.guard import Caller
from cityconfig import City
from schemas.dispatch import RoutingReason, UnitRef
from services.dispatch.adapters.deps import DispatchDep
from services.dispatch.adapters.views.history import SqlHistory
from services.dispatch.application import preview
from services.dispatch.application.preview import PreviewRequest
from services.dispatch.domain.preview import CHANGED_LIMIT, ChangedCase, Decision, PreviewResult

router = APIRouter(tags=["routing"])
MAX_YAML_CHARS = 1_000_000
"""Beyond the body limit (HTTP_MAX_BODY_BYTES, 1 MiB) anyway; the demo city's units.yaml is 170 KB."""


class PreviewBody(BaseModel):
    """A candidate table and the period whose cases to replay through it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    units_yaml: str | None = Field(
        None, max_length=MAX_YAML_CHARS, description="The candidate units.yaml; left out, the city's own"
    )
    routing_yaml: str | None = Field(
        None, max_length=MAX_YAML_CHARS, description="The candidate routing.yaml; left out, the city's own"
    )
    start: AwareDatetime = Field(alias="from", description="Cases Dispatch opened at or after this instant")
    end: AwareDatetime = Field(alias="to", description="… and before this one")
    limit: int = Field(CHANGED_LIMIT, ge=0, le=CHANGED_LIMIT, description="Changed cases listed at most")


class DecisionView(BaseModel):
    """One decision, explained: the rule, 主办 (lead) and 协办 (assisting), and why."""

    routed: bool
    rule_id: str | None
    lead: UnitRef | None
    assisting: list[UnitRef]
    why: str = Field(description="The rule in words, or why no unit could be chosen")
    reason: RoutingReason | None


class ChangedCaseView(BaseModel):
    case_id: UUID
    case_number: str | None
    category_code: str
    category_name: str | None
    area_code: str | None
    area_name: str | None
    opened_at: datetime
    before: DecisionView
    after: DecisionView


class UnitCountView(BaseModel):
    unit_code: str
    unit_name: str
    trade: str | None
    before: int = Field(description="Cases it leads under the current decisions")
    after: int = Field(description="… under the candidate tables")
    delta: int
    assisting_before: int
    assisting_after: int


class UnroutableView(BaseModel):
    category_code: str
    category_name: str | None
    cases: int = Field(description="Cases of this category no unit would take under the candidate")
    routed_before: int = Field(description="Of those, cases a unit took under the current decisions")
    reasons: list[str]


class PreviewView(BaseModel):
    """What the candidate would change; changes nothing."""

    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    compared: int = Field(description="Cases routed by the rules, replayed and compared")
    manual: int = Field(description="Cases a dispatcher routed last (reassigned, reviewed, re-routed): not compared")
    undecided: int = Field(
        description="Cases without a routing decision (awaiting confirmation, voided, self-disposed)"
    )
    changed_total: int = Field(description="Cases whose lead unit (owner) changes, or that become (un)routable")
    changed: list[ChangedCaseView] = Field(description="The first `limit` of them, in the order they were opened")
    assisting_changed: int = Field(description="Cases whose owner stays but whose assisting units change")
    unroutable_before: int
    unroutable_after: int
    units: list[UnitCountView] = Field(description="Every unit that leads or assists any case before or after")
    unroutable_categories: list[UnroutableView]


@router.post("/v1/routing/preview")
async def preview_routing(body: PreviewBody, dispatch: DispatchDep, caller: Caller) -> PreviewView:
    """派遣规则预演: replay a period's cases through a candidate `units.yaml` and `routing.yaml`.

    A candidate the city loader would refuse (a category no rule takes, an unknown trade or code,
    two units covering one place) is answered 422 with the loader's message; cases a loadable
    candidate leaves without a unit are counted per category in `unroutable_categories`.
    """
    request = PreviewRequest(body.units_yaml, body.routing_yaml, body.start, body.end, body.limit)
    result = await preview.preview_routing(SqlHistory(dispatch.store.pool), dispatch.city, request)
    return view(result, dispatch.city, body.start, body.end)


def view(result: PreviewResult, city: City, start: datetime, end: datetime) -> PreviewView:
    def category_name(code: str) -> str | None:
        category = city.category(code)
        return category.name if category else None

    def changed(case: ChangedCase) -> ChangedCaseView:
        area = city.jurisdiction(case.area_code) if case.area_code else None
        return ChangedCaseView(
            case_id=case.case_id, case_number=case.case_number, category_code=case.category_code,
            category_name=category_name(case.category_code), area_code=case.area_code,
            area_name=area.name if area else None, opened_at=case.opened_at,
            before=decision(case.before), after=decision(case.after),
        )  # fmt: skip

    return PreviewView(
        start=start,
        end=end,
        compared=result.compared,
        manual=result.manual,
        undecided=result.undecided,
        changed_total=result.changed_total,
        changed=[changed(case) for case in result.changed],
        assisting_changed=result.assisting_changed,
        unroutable_before=result.unroutable_before,
        unroutable_after=result.unroutable_after,
        units=[UnitCountView(**vars(count), delta=count.delta) for count in result.units],
        unroutable_categories=[
            UnroutableView(
                category_code=entry.category_code,
                category_name=category_name(entry.category_code),
                cases=entry.cases,
                routed_before=entry.routed_before,
                reasons=list(entry.reasons),
            )
            for entry in result.unroutable
        ],
    )


def decision(made: Decision) -> DecisionView:
    return DecisionView(
        routed=made.routed, rule_id=made.rule_id, lead=made.lead, assisting=list(made.assisting), why=made.why,
        reason=made.reason,
    )  # fmt: skip
