"""What stands between the network and every route, installed once by casekit.service.build_app.

From the outside in: the request metrics (so refusals are counted), HideFailures (a 500 without the
exception's text), RequestLimits (target, header fields, body size, media type), RefuseNul,
StrictJson, then FastAPI's exception handlers (register_problems). One `Responders` answers for all
of them, so a path prefix with its own error documents (Open311) has them everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from casekit.web.limits import HttpLimits, RequestLimits, StrictJson
from casekit.web.nul import RefuseNul
from casekit.web.operations import Operations
from casekit.web.problems import HideFailures, register_problems
from casekit.web.refusals import Responder, Responders
from casekit.web.responses import document_refusals


def install_guards(app: FastAPI, limits: HttpLimits, by_prefix: Mapping[str, Responder]) -> None:
    """Call before the request metrics are added: a middleware added later runs further out."""
    responders = Responders(by_prefix)
    register_problems(app, responders)
    document_refusals(app, own_documents=by_prefix)
    app.add_middleware(StrictJson, max_depth=limits.max_json_depth, responders=responders)
    app.add_middleware(RefuseNul, responders=responders)
    # Read at the first request, once include_router has added the routes.
    app.add_middleware(
        RequestLimits, operations=Operations(lambda: app.openapi()), limits=limits, responders=responders
    )
    app.add_middleware(HideFailures, responders=responders)
