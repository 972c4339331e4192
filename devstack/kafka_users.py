"""The local broker's SCRAM users: a password each, made once, kept 0600 under the run dir.

The admin is the broker's super user (topics, ACLs); every other user is a row of
schemas/kafka_users.py. Production's come from Strimzi's `KafkaUser` secrets instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path

import orjson

from casekit.kafka.connection import SaslMechanism
from devstack.private_files import write_private
from schemas.kafka_users import ADMIN, USERS

MECHANISM: SaslMechanism = "SCRAM-SHA-512"
ALL_USERS = (ADMIN, *(user.name for user in USERS))


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
