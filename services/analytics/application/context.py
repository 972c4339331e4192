"""Analytics' typed context: what its routes read from, wired once in main.py."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Analytics:
    """统计分析: the pool its read models' views are queried on (it keeps no events of its own)."""

    pool: asyncpg.Pool
