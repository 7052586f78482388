"""A token bucket per client address, in this process's memory.

Each address may spend ``per_minute`` tokens at once and gets them back at ``per_minute / 60`` a
second. A page view costs 1, a PDF upload more (it costs the server a verification).

Where the buckets live: on SQLite (the embedded default, one process) in this process's memory
(:class:`RateLimiter`); on PostgreSQL in the database (:class:`esign.db.rate_limits.
SharedRateLimiter`, one atomic upsert per request), because there several workers and hosts
serve the same citizens and a per-process bucket would give one address N times the budget.
:func:`make_limiter` picks.

The address is ``request.client.host``: behind a reverse proxy, run uvicorn with
``--proxy-headers --forwarded-allow-ips=<proxy>`` so that it is the citizen's, not the proxy's.
An IPv6 client is keyed by its /64, since one subscriber commonly holds a whole /64.
Memory is bounded: beyond ``max_clients`` addresses the least recently seen are dropped (a
dropped bucket was about to be full again anyway for any address not hammering us).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from ..db import Database


def client_key(host: str | None) -> str:
    if not host:
        return "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Limiter(Protocol):
    per_minute: int

    def take(self, key: str, cost: float = 1.0) -> float: ...


def make_limiter(db: Database, per_minute: int) -> Limiter:
    """The database's buckets on PostgreSQL (shared by every process), memory on SQLite."""
    if db.is_sqlite:
        return RateLimiter(per_minute)
    from ..db.rate_limits import SharedRateLimiter

    return SharedRateLimiter(db, per_minute)


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.capacity = float(self.per_minute)
        self.refill = self.per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens of ``key``'s bucket: 0 when allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (min(cost, self.capacity) - tokens) / self.refill
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
