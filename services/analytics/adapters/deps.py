"""Analytics' typed context for HTTP routes (built once by `ServiceSpec.context`)."""

from typing import Annotated

from fastapi import Depends

from casekit.runtime import context_of
from services.analytics.application.context import Analytics

AnalyticsDep = Annotated[Analytics, Depends(context_of(Analytics))]
