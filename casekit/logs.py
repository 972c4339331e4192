"""Structured JSON logs, each line with the service, the trace id and (when known) the case id.

Every line goes one way: structlog's processors, then the standard library's root handler, which
`setup_logging` installs and which renders JSON. structlog is configured for that path when this
module is imported, not only in `setup_logging`: a logger bound before it (a module-level
`log = get_logger(...)`, as the services' adapters have) kept structlog's default console
renderer for good, and wrote most of Intake's `report.submitted` lines as console text (issue 8,
defect 9). Bound before or after, a logger now hands its event to the root handler at call time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from types import TracebackType
from typing import Any

import structlog
from opentelemetry import trace


def _add_trace(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event.setdefault("trace_id", format(span.trace_id, "032x"))
        event.setdefault("span_id", format(span.span_id, "016x"))
    return event


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _add_trace,
]


def _configure_structlog() -> None:
    # Nothing here renders: the root handler does, so structlog's own lines and the libraries'
    # (uvicorn, aiokafka, asyncio) share one formatter. A disabled level costs no processing.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    """Renders a structlog event or a plain library record as one JSON object."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *SHARED_PROCESSORS],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def setup_logging(level: str = "INFO") -> None:
    """JSON lines on stdout for our logs and for the libraries' (uvicorn, aiokafka) alike."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings.warn(...) would print plain text to stderr
    sys.excepthook = _log_uncaught
    _configure_structlog()


def _log_uncaught(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    """A crash's traceback as a JSON line too, not as text on stderr."""
    logging.getLogger("casekit").critical("process.crashed", exc_info=(kind, error, traceback))


def get_logger(service: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger().bind(service=service)
    return logger


_configure_structlog()
