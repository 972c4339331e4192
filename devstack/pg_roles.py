"""`make run`'s service roles: a password each, kept 0600 under .run/, provisioned every run.

Only on the server `make run` started itself: a `DATABASE_URL` from the environment is used
by every service as it is (ADR 0011).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from casekit.dbroles import ServiceRole, provision, role_url
from devstack.keys import dev_secret
from devstack.stack import RUN_DIR


def dev_roles(names: Iterable[str], run_dir: Path = RUN_DIR) -> list[ServiceRole]:
    """Each service's role with its local password, made the first time (`pg-<name>.password`)."""
    return [
        ServiceRole(name, dev_secret(run_dir, f"pg-{name}.password", lambda: secrets.token_urlsafe(24)))
        for name in names
    ]


async def provision_dev(admin_url: str, names: Iterable[str], run_dir: Path = RUN_DIR) -> dict[str, str]:
    """Provision the roles in the admin URL's database; each service's own DATABASE_URL, by name."""
    database = urlsplit(admin_url).path.lstrip("/") or "postgres"
    roles = dev_roles(names, run_dir)
    await provision(admin_url, database, roles)
    return {role.name: role_url(admin_url, role) for role in roles}
