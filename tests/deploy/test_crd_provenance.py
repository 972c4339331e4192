"""The CRDs in deploy/crds are the upstream bytes that deploy/crds/PROVENANCE.md names, no more, no less."""

from __future__ import annotations

import hashlib
import re

from tests.deploy.crds import CRD_DIR


def test_every_crd_file_has_the_sha256_its_provenance_records() -> None:
    recorded = set(re.findall(r"`([0-9a-f]{64})`", (CRD_DIR / "PROVENANCE.md").read_text(encoding="utf-8")))
    present = {hashlib.sha256(path.read_bytes()).hexdigest() for path in CRD_DIR.rglob("*.yaml")}

    assert present == recorded
