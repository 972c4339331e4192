"""casekit.logs: one JSON object a line, whenever a logger was bound (issue 8, defect 9)."""

from __future__ import annotations

import subprocess
import sys

import orjson

from tests.conftest import ROOT

PROGRAM = """
import logging, warnings
from casekit.logs import get_logger, setup_logging
early = get_logger("early")                  # as a module-level logger is, at import
early_bound = get_logger("early").bind(k=1)  # bound before setup_logging, too
setup_logging("INFO")
early.info("early.event")
early_bound.info("early_bound.event")
get_logger("late").debug("below.the.level")
logging.getLogger("uvicorn.error").info("uvicorn.event")
warnings.warn("a library warns", UserWarning, stacklevel=1)
get_logger("late").info("late.event")
"""


def test_loggers_bound_before_or_after_setup_and_library_records_all_write_json() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, check=True, timeout=60)

    lines = [orjson.loads(line) for line in (done.stdout + done.stderr).splitlines()]

    assert [line["event"] for line in lines if "service" in line] == ["early.event", "early_bound.event", "late.event"]
    assert [line.get("k") for line in lines if line.get("service") == "early"] == [None, 1]
    assert {line["event"] for line in lines if "logger" in line} >= {"uvicorn.event"}
    assert any("a library warns" in line["event"] for line in lines)
