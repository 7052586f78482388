"""The append-only, hash-chained audit log.

Each entry's hash covers its sequence number, time, actor, action, subject, details and the
previous entry's hash, so editing, deleting or reordering any row breaks the chain at that row.
Appends are serialised by the row lock on ``audit_head`` (taken with ``UPDATE … RETURNING``),
and happen in the same transaction as the change they record: no change without its entry.
The database refuses UPDATE and DELETE on the log (triggers, migration 0001); ``verify`` is the
check for whoever could bypass that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .db.models import AuditEntry, AuditHead
from .db.types import utcnow

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _entry_hash(
    *, seq: int, at: dt.datetime, actor: str, action: str, subject: str, details: str, prev: str
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
            "prev": prev,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the session's transaction."""
    seq, prev = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one()
    at = utcnow()
    text = canonical_json(details or {})
    digest = _entry_hash(
        seq=seq, at=at, actor=actor, action=action, subject=subject, details=text, prev=prev
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=text,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None


def verify(session: Session, *, batch: int = 1000) -> AuditVerification:
    """Walk the chain from the first entry; name the first entry that does not hold."""
    expected_seq, prev, count = 1, GENESIS, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return AuditVerification(
                    ok=False,
                    entries=count,
                    first_broken_seq=expected_seq,
                    reason=f"mục {expected_seq} bị mất (entry missing; next found is {e.seq})",
                )
            if e.prev_hash != prev:
                return AuditVerification(
                    ok=False,
                    entries=count,
                    first_broken_seq=e.seq,
                    reason="mã băm mục trước không khớp (previous-hash link broken)",
                )
            digest = _entry_hash(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                details=e.details,
                prev=e.prev_hash,
            )
            if digest != e.hash:
                return AuditVerification(
                    ok=False,
                    entries=count,
                    first_broken_seq=e.seq,
                    reason="nội dung mục đã bị sửa (entry content changed)",
                )
            prev, expected_seq, last_seq, count = e.hash, e.seq + 1, e.seq, count + 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.last_hash != prev:
        return AuditVerification(
            ok=False,
            entries=count,
            first_broken_seq=count + 1 if head and head.seq > count else count,
            reason="đầu chuỗi không khớp: mục cuối bị xóa? (head does not match the last entry)",
        )
    return AuditVerification(ok=True, entries=count)
