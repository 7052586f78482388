"""Reading the audit log for ``esign audit`` (appending is :func:`esign.audit.append`, inside
each workflow's transaction; checking the chain is :func:`esign.audit.verify`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import AuditEntry


def latest_entries(session: Session, *, limit: int) -> list[AuditEntry]:
    """The last ``limit`` entries, oldest first."""
    rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)))
    rows.reverse()
    return rows


def entry_at(session: Session, seq: int) -> AuditEntry | None:
    return session.get(AuditEntry, seq)
