"""`make run` gives Open311 a demo api_key and prints a curl line that works (issue 8, defect 7)."""

from __future__ import annotations

import itertools
import shlex
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devstack.keys import demo_open311_key, dev_secrets, open311_hint
from tests.intake.conftest import IntakeUnderTest


def curl_request(line: str) -> tuple[str, dict[str, str]]:
    """The path and form fields of the `curl -X POST URL --data-urlencode k=v …` line printed."""
    words = shlex.split(line.strip())
    url = next(word for word in words if word.startswith("http"))
    fields = dict(value.split("=", 1) for flag, value in itertools.pairwise(words) if flag == "--data-urlencode")
    return urlsplit(url).path, fields


def test_the_demo_secrets_are_made_once_private_and_reused(tmp_path: Path) -> None:
    first = dev_secrets(tmp_path, environ={})
    second = dev_secrets(tmp_path, environ={})

    assert first == second
    assert first["OPEN311_API_KEYS"].startswith("demo:")
    assert len(first["OPEN311_API_KEYS"]) > len("demo:") + 20
    for name in ("pii.key", "open311.key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_keys_from_the_environment_win_and_no_demo_key_is_printed(tmp_path: Path) -> None:
    configured = dev_secrets(tmp_path, environ={"OPEN311_API_KEYS": "city:their-own"})

    assert configured["OPEN311_API_KEYS"] == "city:their-own"
    assert demo_open311_key(configured, tmp_path) is None
    assert "curl" not in open311_hint("http://127.0.0.1:8001", None)


async def test_the_printed_curl_line_opens_a_case_as_the_demo_client(
    intake: IntakeUnderTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = dev_secrets(tmp_path, environ={})
    monkeypatch.setenv("OPEN311_API_KEYS", configured["OPEN311_API_KEYS"])  # as make run passes it to Intake
    hint = open311_hint("http://127.0.0.1:8001", demo_open311_key(configured, tmp_path))
    path, fields = curl_request(hint.splitlines()[-1])

    reply = await intake.client.post(path, data=fields)

    assert reply.status_code == 200, reply.text
    assert reply.json()[0]["service_request_id"].startswith("PB-")
    actors = await intake.app.state.runtime.pool.fetch("SELECT DISTINCT actor FROM events")
    assert [row["actor"] for row in actors] == ["open311:demo"]
