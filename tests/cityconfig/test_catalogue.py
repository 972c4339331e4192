"""The demo city's catalogue of case categories (案件类别)."""

from __future__ import annotations

from collections import Counter

from cityconfig import City


def test_the_catalogue_has_all_250_categories(demo_city: City) -> None:
    assert len(demo_city.categories) == 250


def test_every_category_has_an_english_gloss(demo_city: City) -> None:
    assert [c.code for c in demo_city.categories.values() if not c.name_en.strip()] == []


def test_components_and_matters_keep_their_source_counts(demo_city: City) -> None:
    assert Counter(c.kind for c in demo_city.categories.values()) == {"component": 153, "matter": 97}


def test_every_urgency_is_used(demo_city: City) -> None:
    assert {c.urgency for c in demo_city.categories.values()} == {"urgent", "normal", "low"}


def test_a_category_is_found_by_its_code(demo_city: City) -> None:
    category = demo_city.category("01002")

    assert category is not None
    assert (category.name, category.kind, category.major_name) == ("污水井盖", "component", "市政公用设施")


def test_a_missing_manhole_cover_is_urgent(demo_city: City) -> None:
    category = demo_city.category("01002")

    assert category is not None
    assert category.urgency == "urgent"


def test_exposed_garbage_is_normal(demo_city: City) -> None:
    category = demo_city.category("06010")

    assert category is not None
    assert category.urgency == "normal"


def test_an_unknown_category_code_gives_none(demo_city: City) -> None:
    assert demo_city.category("99999") is None
