"""The fuzzers' figures at the end of the run: operations, requests, statuses, messages."""

from __future__ import annotations

import pytest

from tests.fuzz.figures import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = FIGURES.lines()
    if lines:
        terminalreporter.section("fuzz figures")
        for line in lines:
            terminalreporter.write_line(line)
