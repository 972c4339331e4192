"""The shipped demo city, loaded once for the whole package (a plain sync fixture, no stack)."""

from __future__ import annotations

import pytest

from cityconfig import DEFAULT_CITY, City, load_city


@pytest.fixture(scope="session")
def demo_city() -> City:
    return load_city(DEFAULT_CITY)
