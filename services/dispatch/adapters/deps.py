"""Dispatch's typed context for HTTP routes (built once by `ServiceSpec.context`)."""

from typing import Annotated

from fastapi import Depends

from casekit.runtime import context_of
from services.dispatch.application.context import Dispatch

DispatchDep = Annotated[Dispatch, Depends(context_of(Dispatch))]
