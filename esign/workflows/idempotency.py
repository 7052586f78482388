"""Safe retries: the same ``Idempotency-Key`` and body returns the first answer; the same key
with another body is refused.

The key, the work and the answer are one transaction: the key's row is inserted first (on
PostgreSQL a concurrent request with the same key waits on the row's unique index until this
transaction ends; on SQLite ``BEGIN IMMEDIATE`` already orders writers), the work runs in the
same session, and the answer is stored in the row before the commit. A crash (even SIGKILL)
therefore leaves either the receipt and its key's answer, or neither: a retry after a restart
returns the first answer or does the work once. There is no "in flight" state to expire.

Rows in the ``in_flight`` state come only from versions before this one (which claimed the key
in a transaction of its own); they are answered 409 and never taken over, since the work they
guarded may have committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Database
from ..db.models import IdempotencyKey
from ..errors import IdempotencyInFlight, IdempotencyMismatch, ValidationError

Answer = tuple[int, dict[str, Any]]
Work = Callable[[Session], Answer]
"""The state change: runs in the given session's transaction and returns (status, body)."""


def request_hash(request: Any) -> str:
    return hashlib.sha256(
        json.dumps(request, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def clean_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise ValidationError("Idempotency-Key không hợp lệ", "Invalid Idempotency-Key")
    return key


def run_idempotent(
    db: Database, *, key: str | None, user_id: int, request: Any, work: Work
) -> Answer:
    """Run ``work`` in one transaction with the key's answer, or return the stored answer."""
    if key is None:
        with db.transaction() as s:
            return work(s)
    key = clean_key(key)
    digest = request_hash(request)
    stored = _stored(db, key=key, user_id=user_id, digest=digest)
    if stored is not None:
        return stored
    try:
        with db.transaction() as s:
            row = IdempotencyKey(key=key, user_id=user_id, request_sha256=digest, state="done")
            s.add(row)
            s.flush()  # PostgreSQL: waits here for a concurrent holder of the same key
            status, payload = work(s)
            row.status_code = status
            row.response = json.dumps(payload, ensure_ascii=False)
        return status, payload
    except IntegrityError:
        # Another request with this key committed first; our work was rolled back with it.
        stored = _stored(db, key=key, user_id=user_id, digest=digest)
        if stored is None:
            raise
        return stored


def _stored(db: Database, *, key: str, user_id: int, digest: str) -> Answer | None:
    """The answer stored for the key, None when the key is unused."""
    with db.reading() as s:
        row = s.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.key == key, IdempotencyKey.user_id == user_id
            )
        )
        if row is None:
            return None
        if row.request_sha256 != digest:
            raise IdempotencyMismatch(
                "Idempotency-Key này đã dùng cho một yêu cầu khác",
                "This Idempotency-Key was used with another request body",
            )
        if row.state == "done" and row.response is not None:
            return row.status_code or 200, json.loads(row.response)
        raise IdempotencyInFlight(
            "Yêu cầu với Idempotency-Key này đang được xử lý, hãy thử lại sau",
            "A request with this Idempotency-Key is still in flight; retry later",
        )
