"""A token bucket per client address, in this process's memory.

Each address may spend ``per_minute`` tokens at once and gets them back at ``per_minute / 60`` a
second. A page view costs 1, a PDF upload more (it costs the server a verification).

Why memory and not the database: the limit is a guard against one client scraping tokens or
burning CPU, not an accounting rule, and a database write (or a row lock) per public request
would cost more than the page itself. The price: with N app processes behind a load balancer
each keeps its own buckets, so one address gets up to N times the budget (and a restart forgets
them). Set ``ESIGN_RATE_LIMIT_PER_MINUTE`` to the per-process share, or put a shared limiter
(the reverse proxy's, e.g. nginx ``limit_req``) in front.

The address is the one our trusted proxies report (:mod:`esign.http.client`,
``ESIGN_TRUSTED_PROXIES``): a client cannot pick its bucket with a forged ``X-Forwarded-For``,
and behind a real proxy each citizen still has their own.
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
