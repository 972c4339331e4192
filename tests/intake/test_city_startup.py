"""Intake refuses to start on a broken city, saying what is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cityconfig.city import DEFAULT_CITY
from cityconfig.errors import CityConfigError
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import TEST_PII_KEY


def test_intake_will_not_start_on_a_city_whose_grid_has_an_unknown_parent(tmp_path: Path) -> None:
    city = tmp_path / "city"
    shutil.copytree(DEFAULT_CITY, city)
    geojson: dict[str, Any] = json.loads((city / "jurisdictions.geojson").read_text())
    grid = next(f for f in geojson["features"] if f["properties"]["level"] == "grid")
    grid["properties"]["parent"] = "320302999999"
    (city / "jurisdictions.geojson").write_text(json.dumps(geojson))
    settings = IntakeSettings(
        DATABASE_URL="postgresql://unused", KAFKA_BOOTSTRAP_SERVERS="unused:9092", INTAKE_PII_KEY=TEST_PII_KEY,
        CITY_CONFIG=str(city),
    )  # fmt: skip

    with pytest.raises(CityConfigError, match="320302999999"):
        create_app(settings)
