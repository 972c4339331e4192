"""Files only their owner may read (0600 from the moment they exist): the local stack's secrets."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, text: str | bytes, owner: str | None = None) -> None:
    """Write `text` to `path`, readable by its owner only, never by others, not even for an instant.

    Written beside and renamed into place, so a reader never sees half a file; `owner` (a system
    user) gets the file, for a server that runs as that user (PostgreSQL).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(text.encode() if isinstance(text, str) else text)
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(partial, entry.pw_uid, entry.pw_gid)
    partial.replace(path)


def made_once(path: Path, make: Callable[[], str | bytes]) -> bytes:
    """What `path` holds, made by `make` (and kept private) the first time it is asked for."""
    if not path.exists():
        write_private(path, make())
    return path.read_bytes()
