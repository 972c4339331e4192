"""Running projections in a service: set up at start, rebuild the stale ones, a rebuild command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from casekit.db import create_pool, migrate
from casekit.logs import get_logger
from casekit.projection import Projection, ensure, stale
from casekit.projection_rebuild import HistoryMissing, Progress, RebuildRunning, rebuild
from casekit.retry import backoff
from casekit.runtime import Runtime
from casekit.settings import ServiceSettings

log = get_logger("casekit.projection")


async def ensure_all(runtime: Runtime, projections: Sequence[Projection[Any]], group: str) -> None:
    """At start, before consumers and routes: every projection has a live generation to read."""
    for projection in projections:
        await ensure(runtime.pool, projection, runtime.settings.topic(group))


class Rebuilder:
    """A background worker that rebuilds, once at start, each projection that is stale.

    Replicas start together: one takes a projection's rebuild lock, the others skip it. Transient
    failures are retried with backoff; until a rebuild succeeds the live generation keeps
    answering (stale but whole). Once done it idles until stopped, so it never looks dead.
    """

    def __init__(self, runtime: Runtime, projections: Sequence[Projection[Any]]) -> None:
        self.runtime = runtime
        self.projections = projections
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        self.task = asyncio.current_task()
        for projection in self.projections:
            await self._rebuild_if_stale(projection)
        await self.stopping.wait()

    async def _rebuild_if_stale(self, projection: Projection[Any]) -> None:
        settings = self.runtime.settings
        attempt = 0
        while not self.stopping.is_set():
            try:
                if await stale(self.runtime.pool, projection):
                    await rebuild(
                        projection,
                        pool=self.runtime.pool,
                        kafka=settings.kafka,
                        topic=settings.topic,
                    )
                return
            except RebuildRunning:
                log.info("projection.rebuild_elsewhere", projection=projection.name)
                return
            except HistoryMissing as why:  # retention deleted events: no rebuild can be whole
                log.error("projection.rebuild_impossible", projection=projection.name, reason=str(why))
                return
            except Exception as error:  # database or broker away: try again
                attempt += 1
                log.warning("projection.rebuild_retry", projection=projection.name, error=repr(error), attempt=attempt)
                await asyncio.sleep(backoff(attempt, cap=60.0))

    async def stop(self) -> None:
        self.stopping.set()
        if self.task is not None and not self.task.done():
            self.task.cancel()  # a rebuild cut short leaves the live generation as it was


async def print_progress(progress: Progress) -> None:
    share = progress.read / progress.total if progress.total else 1.0
    line = f"\r{progress.projection}: {progress.phase} {progress.read}/{progress.total} ({share:.0%})"
    sys.stderr.write(line + ("\n" if progress.phase == "swapped" else ""))
    sys.stderr.flush()


async def rebuild_command(
    projections: Sequence[Projection[Any]],
    settings: ServiceSettings,
    migrations: Sequence[Any],
    group: str,
    argv: Sequence[str] | None = None,
) -> int:
    """`python -m services.<name>.rebuild [NAME…] [--stale]`: rebuild while the service runs."""
    by_name = {projection.name: projection for projection in projections}
    parser = argparse.ArgumentParser(description="Rebuild projections from offset 0 and swap them in.")
    parser.add_argument("names", nargs="*", help=f"projections (default: all of {', '.join(by_name)})")
    parser.add_argument("--stale", action="store_true", help="only those whose DDL or version changed")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(by_name)
    if unknown:
        parser.error(f"unknown projections: {', '.join(sorted(unknown))}")
    await migrate(settings.database_url, settings.db_schema, migrations)
    pool = await create_pool(settings.database_url, settings.db_schema, max_size=3)
    try:
        for name in args.names or list(by_name):
            projection = by_name[name]
            await ensure(pool, projection, settings.topic(group))
            if args.stale and not await stale(pool, projection):
                sys.stderr.write(f"{name}: up to date\n")
                continue
            generation = await rebuild(
                projection,
                pool=pool,
                kafka=settings.kafka,
                topic=settings.topic,
                on_progress=print_progress,
            )
            sys.stderr.write(f"{name}: generation {generation} is live\n")
    except RebuildRunning as running:
        sys.stderr.write(f"{running}\n")
        return 1
    finally:
        await pool.close()
    return 0
