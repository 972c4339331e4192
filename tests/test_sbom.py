"""`make sbom`: a CycloneDX SBOM that names every pinned dependency at its pinned version (issue 9)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    """PEP 503: `PyYAML`, `pydantic_core` and `pydantic-core` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return {canonical(name): version for name, _, version in (line.partition("==") for line in lines if "==" in line)}


def sbom(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "sbom.cdx.json"
    subprocess.run(["make", "-s", "sbom", f"SBOM={path}"], cwd=ROOT, check=True, capture_output=True)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_the_sbom_is_cyclonedx_json_listing_every_pin_at_its_version(tmp_path: Path) -> None:
    document = sbom(tmp_path)
    listed = {canonical(component["name"]): component["version"] for component in document["components"]}
    purls = {component["purl"] for component in document["components"]}

    assert document["bomFormat"] == "CycloneDX"
    assert document["metadata"]["component"]["name"] == "city-cases"
    assert listed["fastapi"] == pins()["fastapi"]
    assert f"pkg:pypi/fastapi@{pins()['fastapi']}" in purls
    assert {name: listed.get(name) for name in pins()} == pins()
