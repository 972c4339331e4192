"""Which city folder a service loads: CITY_CONFIG, else the demo city."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityconfig import DEFAULT_CITY, city_path_from_env


def test_without_city_config_the_demo_city_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITY_CONFIG", raising=False)

    assert city_path_from_env() == DEFAULT_CITY


def test_the_default_city_is_the_shipped_xuzhou_demo() -> None:
    shipped = Path(__file__).resolve().parents[2] / "cities" / "xuzhou-demo"

    assert shipped == DEFAULT_CITY


def test_city_config_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CITY_CONFIG", str(tmp_path))

    assert city_path_from_env() == tmp_path


def test_an_empty_city_config_falls_back_to_the_demo_city(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITY_CONFIG", "")

    assert city_path_from_env() == DEFAULT_CITY
