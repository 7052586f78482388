"""The scans of the public pages, written in batches by one background thread.

A citizen's page view never waits for a write: ``record`` appends to a bounded in-memory queue
and returns; a thread writes what is queued in one transaction per batch. When the queue is
full (the database locked, read-only, or slower than the scans) new records are dropped and
counted: losing counts under overload is acceptable, blocking a citizen is not. A failed write
is logged and its batch dropped, so a broken database never grows the queue.
"""

from __future__ import annotations

import collections
import logging
import threading
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.exc import SQLAlchemyError

from ..db import Database
from ..db.models import ScanRecord
from ..db.types import utcnow

log = logging.getLogger("esign.scans")

_SCAN = insert(cast(Table, ScanRecord.__table__))  # Core: no ORM unit of work per batch


class ScanQueue:
    """Bounded queue of scan rows and the thread that writes them (started on first record)."""

    def __init__(
        self, db: Database, *, capacity: int = 50_000, batch: int = 2_000, idle: float = 0.2
    ) -> None:
        self._db = db
        self.capacity = capacity
        self._batch = batch
        self._idle = idle
        self._rows: collections.deque[dict[str, Any]] = collections.deque()
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.dropped = 0
        self.written = 0

    def record(self, *, token: str, result: str) -> bool:
        """Queue one scan; False when it was dropped (queue full). Never blocks on the database."""
        with self._lock:
            if len(self._rows) >= self.capacity or self._closed:
                self.dropped += 1
                return False
            self._rows.append({"at": utcnow(), "token": token, "result": result})
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="esign-scans", daemon=True)
                self._thread.start()
        if len(self._rows) >= self._batch:
            self._wake.set()
        return True

    def pending(self) -> int:
        return len(self._rows)

    def flush(self) -> None:
        """Write everything queued before this call (tests, shutdown)."""
        with self._writing:
            while self._rows:
                self._write(self._take(self._batch))

    def close(self) -> None:
        """Write what is queued and stop the thread."""
        self._closed = True
        self._wake.set()
        self.flush()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _take(self, n: int) -> list[dict[str, Any]]:
        with self._lock:
            return [self._rows.popleft() for _ in range(min(n, len(self._rows)))]

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self._idle)
            self._wake.clear()
            with self._writing:
                rows = self._take(self._batch)
                if rows:
                    self._write(rows)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        try:
            with self._db.transaction() as s:
                s.execute(_SCAN, rows)
            self.written += len(rows)
        except (SQLAlchemyError, OSError) as exc:
            self.dropped += len(rows)
            log.warning("dropped %d scan records: %s", len(rows), exc)


__all__ = ["ScanQueue"]
