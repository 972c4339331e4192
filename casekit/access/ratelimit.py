"""Rate limits (限流) on writes, per caller and per client address: 429 with Retry-After.

In memory, per replica (the `limits` library's sliding window): N replicas let through up to N
times the limit, which is what a limit against abuse needs; a quota would need a shared store.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from casekit.errors import TooManyRequests


class RateLimits:
    def __init__(self, per_caller: str, per_address: str) -> None:
        self.per_caller: RateLimitItem = parse(per_caller)
        self.per_address: RateLimitItem = parse(per_address)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def _hit(self, item: RateLimitItem, kind: str, who: str) -> None:
        if await self.limiter.hit(item, kind, who):
            return
        stats = await self.limiter.get_window_stats(item, kind, who)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(f"more than {item} writes for this {kind}", retry_after)

    async def address(self, address: str) -> None:
        await self._hit(self.per_address, "address", address)

    async def caller(self, subject: str) -> None:
        await self._hit(self.per_caller, "caller", subject)
