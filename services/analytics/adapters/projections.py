"""Analytics' projections: the case trace, the report counts, the case facts (fed from every domain topic) and
the patrols (巡查, from Intake's)."""

from __future__ import annotations

from typing import Any

from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Subscription
from casekit.kafka.subscriptions import subscription
from casekit.projection import Projection, live_batch, live_handlers, topics_of
from casekit.projection_service import Rebuilder, ensure_all
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from services.analytics.adapters.views import case_facts, case_trace, patrols, report_counts
from services.analytics.application import case_facts as fact_reactions
from services.analytics.application import case_trace as trace_reactions
from services.analytics.application import patrols as patrol_reactions
from services.analytics.application import report_counts as count_reactions
from services.analytics.application.context import Analytics

GROUP = "analytics"
"""One consumer group for both (KEDA scales on it, deploy/keda.yaml); each has its own checkpoints."""
DOMAIN_TOPICS = (topics.INTAKE_EVENTS, topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS)
TYPES = EventTypes(ALL_EVENTS, UPCASTERS)

CASE_TRACE = Projection(
    name="analytics.case_trace",
    tables=(case_trace.TABLE,),
    topics=DOMAIN_TOPICS,
    types=TYPES,
    handlers=trace_reactions.HANDLERS,
    bind=case_trace.CaseTraceRows,
    version=2,  # 2: a patrol's, work log's or grid watch's events are not a case's (issue 14)
)
REPORT_COUNTS = Projection(
    name="analytics.report_counts",
    tables=(report_counts.TABLE,),
    topics=(topics.INTAKE_EVENTS,),
    types=TYPES,
    handlers=count_reactions.HANDLERS,
    bind=report_counts.ReportCountRows,
)
CASE_FACTS = Projection(
    name="analytics.case_facts",
    tables=case_facts.TABLES,
    topics=DOMAIN_TOPICS,
    types=TYPES,
    handlers=fact_reactions.HANDLERS,
    bind=case_facts.CaseFactRows,
)
PATROLS = Projection(
    name="analytics.patrols",
    tables=patrols.TABLES,
    topics=(topics.INTAKE_EVENTS,),
    types=TYPES,
    handlers=patrol_reactions.HANDLERS,
    bind=patrols.PatrolTableRows,
)
PROJECTIONS: tuple[Projection[Any], ...] = (CASE_TRACE, REPORT_COUNTS, CASE_FACTS, PATROLS)


def subscriptions(runtime: Runtime, analytics: Analytics) -> list[Subscription]:
    return [
        subscription(
            runtime,
            GROUP,
            event_topics=topics_of(PROJECTIONS),
            types=TYPES,
            handlers=live_handlers(PROJECTIONS),
            batch=live_batch(PROJECTIONS),
        )
    ]


async def startup(runtime: Runtime, analytics: Analytics) -> None:
    await ensure_all(runtime, PROJECTIONS, GROUP)


def background(runtime: Runtime, analytics: Analytics) -> list[Rebuilder]:
    return [Rebuilder(runtime, PROJECTIONS)]
