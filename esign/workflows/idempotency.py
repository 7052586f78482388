"""Safe retries: the same ``Idempotency-Key`` and body returns the first answer; the same key
with another body is refused; a request still running with the same key gets 409.

The key is claimed in a short transaction of its own (a unique row), the work runs in its own
transaction, and the answer is stored when it is done. If the work fails, the claim is
released so that a retry runs again. A claim older than ``STALE_AFTER`` (a crashed process)
is taken over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db import Database
from ..db.models import IdempotencyKey
from ..db.types import utcnow
from ..errors import IdempotencyInFlight, IdempotencyMismatch, ValidationError

STALE_AFTER = dt.timedelta(minutes=5)
Work = Callable[[], tuple[int, dict[str, Any]]]


def request_hash(request: Any) -> str:
    return hashlib.sha256(
        json.dumps(request, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def run_idempotent(
    db: Database, *, key: str | None, user_id: int, request: Any, work: Work
) -> tuple[int, dict[str, Any]]:
    if key is None:
        return work()
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise ValidationError("Idempotency-Key không hợp lệ", "Invalid Idempotency-Key")
    digest = request_hash(request)
    claimed = _claim(db, key=key, user_id=user_id, digest=digest)
    if claimed is not None:
        return claimed
    try:
        status, payload = work()
    except BaseException:
        with db.transaction() as s:
            s.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.key == key, IdempotencyKey.user_id == user_id
                )
            )
        raise
    with db.transaction() as s:
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == key, IdempotencyKey.user_id == user_id)
            .values(
                state="done", status_code=status, response=json.dumps(payload, ensure_ascii=False)
            )
        )
    return status, payload


def _claim(
    db: Database, *, key: str, user_id: int, digest: str
) -> tuple[int, dict[str, Any]] | None:
    """None when this request now owns the key; the stored answer when it was done before."""
    try:
        with db.transaction() as s:
            s.add(
                IdempotencyKey(key=key, user_id=user_id, request_sha256=digest, state="in_flight")
            )
        return None
    except IntegrityError:
        pass
    with db.transaction() as s:
        row = s.scalar(
            select(IdempotencyKey)
            .where(IdempotencyKey.key == key, IdempotencyKey.user_id == user_id)
            .with_for_update()
        )
        if row is None:  # released between our insert and this read: try once more
            s.add(
                IdempotencyKey(key=key, user_id=user_id, request_sha256=digest, state="in_flight")
            )
            return None
        if row.request_sha256 != digest:
            raise IdempotencyMismatch(
                "Idempotency-Key này đã dùng cho một yêu cầu khác",
                "This Idempotency-Key was used with another request body",
            )
        if row.state == "done" and row.response is not None:
            return row.status_code or 200, json.loads(row.response)
        if utcnow() - row.created_at > STALE_AFTER:
            row.created_at = utcnow()
            return None
        raise IdempotencyInFlight(
            "Yêu cầu với Idempotency-Key này đang được xử lý, hãy thử lại sau",
            "A request with this Idempotency-Key is still in flight; retry later",
        )
