"""Intake's typed context for HTTP routes (built once by `ServiceSpec.context`)."""

from typing import Annotated

from fastapi import Depends

from casekit.runtime import context_of
from services.intake.application.context import Intake

IntakeDep = Annotated[Intake, Depends(context_of(Intake))]
