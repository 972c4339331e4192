"""Time limits and urgency: shared by Intake (the hotline's own terms), Dispatch and Closure."""

from typing import Literal

TimeUnit = Literal["minutes", "hours", "working_hours", "working_days"]
"""Clock time, or working time on the city's calendar (工作时间)."""
Urgency = Literal["urgent", "normal", "low"]
"""紧急程度: 紧急, 一般, 不急."""
