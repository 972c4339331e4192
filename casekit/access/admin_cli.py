"""The key admin CLI: `python -m casekit.access.admin_cli --schema intake issue hotline --channels hotline
--scopes reports:submit`. Talks to the service's own schema (DATABASE_URL), so it works with the
services running or not; they see a change within ACCESS_KEY_CACHE_SECONDS, without a restart."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from casekit.access import keys
from casekit.db import create_pool, migrate
from schemas.access import SCOPES


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m casekit.access.admin_cli", description=__doc__)
    cli.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="default: $DATABASE_URL")
    cli.add_argument("--schema", required=True, help="the service whose keys: intake, dispatch, closure, analytics")
    commands = cli.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="issue a key for a system (printed once)")
    issue.add_argument("client")
    issue.add_argument("--channels", type=_csv, default=[])
    issue.add_argument("--scopes", type=_csv, default=[], help=f"comma-separated: {', '.join(SCOPES)}")
    issue.add_argument("--note")
    listing = commands.add_parser("list", help="every key, without secrets")
    listing.add_argument("--client")
    rotate = commands.add_parser("rotate", help="a new key; the old one works for the overlap")
    rotate.add_argument("key_id")
    rotate.add_argument("--overlap-minutes", type=int, default=60)
    revoke = commands.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("key_id")
    return cli


async def run(args: argparse.Namespace) -> Any:
    if not args.database_url:
        raise SystemExit("set DATABASE_URL or pass --database-url")
    await migrate(args.database_url, args.schema)  # the key table is the plumbing's own (casekit/sql)
    pool = await create_pool(args.database_url, args.schema, max_size=1)
    try:
        async with pool.acquire() as conn:
            if args.command == "issue":
                unknown = set(args.scopes) - set(SCOPES)
                if unknown:
                    raise SystemExit(f"unknown scopes {sorted(unknown)}; known: {', '.join(SCOPES)}")
                issued = await keys.issue(conn, args.client, args.channels, args.scopes, args.note)
                return {**asdict(issued.key), "key": issued.secret}
            if args.command == "list":
                return [asdict(key) for key in await keys.listed(conn, args.client)]
            if args.command == "rotate":
                issued = await keys.rotate(conn, args.key_id, timedelta(minutes=args.overlap_minutes))
                return {**asdict(issued.key), "key": issued.secret}
            await keys.revoke(conn, args.key_id)
            return {"revoked": args.key_id}
    finally:
        await pool.close()


def main(argv: Sequence[str] | None = None) -> None:
    print(json.dumps(asyncio.run(run(parser().parse_args(argv))), default=str, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
