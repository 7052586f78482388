"""The public pages' rate limit shared by every process and host on one PostgreSQL.

The same token bucket as :class:`esign.web.ratelimit.RateLimiter` (``per_minute`` tokens at
once, back at ``per_minute / 60`` a second), kept in the ``rate_buckets`` table and spent with
one atomic upsert: PostgreSQL's row lock on the key serialises two processes taking from the
same bucket, and the clock is the database's, so hosts with skewed clocks agree. One statement
(about a third of a millisecond on loopback) per public request: the price of a limit that a
second worker or host cannot multiply.

Rows idle for longer than a full refill (60 s) are full buckets again and are deleted, at most
once a minute per process, so the table holds only the clients of the last minute.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from .engine import Database

_TAKE = text(
    """
    INSERT INTO rate_buckets AS b (key, tokens, stamp, wait)
    VALUES (
        :key,
        CASE WHEN :cap >= :cost THEN :cap - :cost ELSE :cap END,
        extract(epoch FROM clock_timestamp()),
        0
    )
    ON CONFLICT (key) DO UPDATE SET
        tokens = CASE
            WHEN LEAST(:cap, b.tokens + GREATEST(0, EXCLUDED.stamp - b.stamp) * :refill) >= :cost
            THEN LEAST(:cap, b.tokens + GREATEST(0, EXCLUDED.stamp - b.stamp) * :refill) - :cost
            ELSE LEAST(:cap, b.tokens + GREATEST(0, EXCLUDED.stamp - b.stamp) * :refill)
        END,
        wait = CASE
            WHEN LEAST(:cap, b.tokens + GREATEST(0, EXCLUDED.stamp - b.stamp) * :refill) >= :cost
            THEN 0
            ELSE (LEAST(:cost, :cap)
                  - LEAST(:cap, b.tokens + GREATEST(0, EXCLUDED.stamp - b.stamp) * :refill))
                 / :refill
        END,
        stamp = EXCLUDED.stamp
    RETURNING wait
    """
)
_SWEEP = text("DELETE FROM rate_buckets WHERE stamp < extract(epoch FROM clock_timestamp()) - 60")
SWEEP_EVERY = 60.0


class SharedRateLimiter:
    """``take(key, cost)``: 0 when allowed, else the seconds to wait; the buckets live in the
    database, so every process on it shares them."""

    def __init__(self, db: Database, per_minute: int) -> None:
        if db.is_sqlite:
            raise ValueError("SQLite runs one process: use the in-process RateLimiter")
        self.db = db
        self.per_minute = max(1, per_minute)
        self.capacity = float(self.per_minute)
        self.refill = self.per_minute / 60.0
        self._swept = 0.0
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        params = {"key": key[:100], "cap": self.capacity, "cost": cost, "refill": self.refill}
        with self.db.engine.begin() as conn:
            wait = float(conn.execute(_TAKE, params).scalar_one())
        self._sweep()
        return wait

    def _sweep(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._swept < SWEEP_EVERY:
                return
            self._swept = now
        with self.db.engine.begin() as conn:
            conn.execute(_SWEEP)


__all__ = ["SharedRateLimiter"]
