"""docs/access.md shows the authorisation table as it is in schemas/access.py."""

from schemas.access import documented_span, markdown_table
from tests.conftest import ROOT


def test_the_documented_table_is_the_table() -> None:
    text = (ROOT / "docs" / "access.md").read_text()
    start, end = documented_span(text)

    assert text[start:end].strip() == markdown_table()
