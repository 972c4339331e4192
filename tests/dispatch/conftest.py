from __future__ import annotations

from pathlib import Path

import pytest

from cityconfig import City
from services.dispatch.domain.assignment_rules import Rules
from tests.dispatch.city_fixture import routing_city


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return routing_city(Path(tmp_path_factory.mktemp("city")) / "routing-city")


@pytest.fixture(scope="session")
def rules(city: City) -> Rules:
    assert city.units is not None
    assert city.routing is not None
    return Rules(city.units, city.routing, city.calendar)


# Dispatch fed by a real Intake, for every module here.
from tests.dispatch.rig import flow  # noqa: E402, F401
