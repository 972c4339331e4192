"""The repository stands alone: no tracked file but prose reads the project notes beside a checkout.

A clone from the project's own repository has no notes folder beside it (issue 8, section 1); what the
code needs from there is copied in with its provenance (deploy/crds/, tools/demo_city/source/).
Markdown may still cite the notes; code, tests, scripts and the Makefile may not.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = "sha" + "red"
# Built from parts so that this file, tracked too, does not match itself: the parent folder's notes,
# their data folder, and the folder's name as a string of its own (`ROOT.parent / NAME / "data"`).
PATTERNS = (rf"\.\./{SHARED}", rf"{SHARED}/data", rf"[\"']{SHARED}[\"']")


def tracked_lines_naming_the_notes(root: Path) -> list[str]:
    """`path:line:text` of every tracked non-Markdown line under root that names the notes' folder."""
    patterns = [arg for pattern in PATTERNS for arg in ("-e", pattern)]
    found = subprocess.run(
        ["git", "grep", "-n", "-I", "-E", *patterns, "--", ".", ":(exclude)*.md"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    # git grep exits 1 when nothing matches and 2 or more when it could not search at all.
    assert found.returncode in (0, 1), found.stderr
    return found.stdout.splitlines()


def test_no_tracked_file_but_markdown_names_the_notes_beside_the_checkout() -> None:
    assert tracked_lines_naming_the_notes(ROOT) == []


def test_the_check_sees_a_path_built_from_segments_and_spares_markdown(tmp_path: Path) -> None:
    # As the old tests/deploy/crds.py and tools/demo_city/generate.py read their files.
    (tmp_path / "crds.py").write_text(f'CRDS = ROOT.parent / "{SHARED}" / "data" / "crds"\n', encoding="utf-8")
    (tmp_path / "generate.py").write_text(f"# --source ../{SHARED}/data\n", encoding="utf-8")
    (tmp_path / "NOTES.md").write_text(f"Taken from ../{SHARED}/data.\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)

    lines = tracked_lines_naming_the_notes(tmp_path)

    assert [line.split(":", 2)[:2] for line in lines] == [["crds.py", "1"], ["generate.py", "1"]]
