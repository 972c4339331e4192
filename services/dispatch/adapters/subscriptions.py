"""Dispatch's subscriptions: Intake's events (reports, the hotline's decisions) and Closure's resume, each class
to its reaction."""

from __future__ import annotations

from casekit.eventtypes import EventTypes
from casekit.kafka.consumer import Subscription
from casekit.kafka.subscriptions import subscription
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.closure import CaseResumed
from schemas.hotline import HotlineExtensionDecided, HotlineReturnDecided
from schemas.intake import ReportReceived
from services.dispatch.application.context import Dispatch
from services.dispatch.application.hotline import on_hotline_extension_decided, on_hotline_return_decided
from services.dispatch.application.reactions import on_case_resumed, on_report_received

ACTOR = "system:dispatch"


def subscriptions(runtime: Runtime, dispatch: Dispatch) -> list[Subscription]:
    return [
        subscription(
            runtime,
            "dispatch",
            event_topics=[topics.INTAKE_EVENTS, topics.CLOSURE_EVENTS],
            types=EventTypes(ALL_EVENTS, UPCASTERS),
            actor=ACTOR,
            context=dispatch,
            reactions={
                ReportReceived: on_report_received,
                # The 12345 hotline's decisions, acted on as system:hotline (application/hotline.py).
                HotlineReturnDecided: on_hotline_return_decided,
                HotlineExtensionDecided: on_hotline_extension_decided,
                # 恢复办理 ends a park Dispatch approved (its `parked` flag).
                CaseResumed: on_case_resumed,
            },
        )
    ]
