"""The local broker's SCRAM users: a password each, made once, kept 0600 under the run dir.

The admin is the broker's super user (topics, ACLs); every other user is a row of
schemas/kafka_users.py. Production's come from Strimzi's `KafkaUser` secrets instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import orjson

from casekit.kafka.connection import SaslMechanism
from schemas.kafka_users import ADMIN, USERS

MECHANISM: SaslMechanism = "SCRAM-SHA-512"
ALL_USERS = (ADMIN, *(user.name for user in USERS))


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read, never readable by others, not even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)
    partial.replace(path)


def load_passwords(path: Path, users: Iterable[str] = ALL_USERS) -> dict[str, str]:
    """Each user's password from `path`; users it lacks get a new one, written back (0600)."""
    known: dict[str, str] = orjson.loads(path.read_bytes()) if path.exists() else {}
    missing = [user for user in users if user not in known]
    if missing:
        known |= {user: secrets.token_urlsafe(24) for user in missing}
        write_private(path, orjson.dumps(known, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    return known


def scram_arguments(passwords: dict[str, str]) -> list[str]:
    """StorageTool's `--add-scram` arguments: the users exist before the broker first starts."""
    # token_urlsafe passwords hold no `,` `]` or `"`, which would break the bracket syntax.
    return [
        arg
        for user, password in passwords.items()
        for arg in ("--add-scram", f"{MECHANISM}=[name={user},password={password}]")
    ]
