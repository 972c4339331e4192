"""Closure's typed context for HTTP routes (built once by `ServiceSpec.context`)."""

from typing import Annotated

from fastapi import Depends

from casekit.runtime import context_of
from services.closure.application.context import Closure

ClosureDep = Annotated[Closure, Depends(context_of(Closure))]
