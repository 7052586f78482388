"""What the administration desk reads besides the workflows of each concept: the audit log
searched with filters, and one document's trail. Users are deactivated and passwords reset by
the credential lifecycle's own functions (``workflows.users``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from ..db.models import AuditEntry, UserRole
from .actors import Actor, require

MAX_AUDIT_ROWS = 500


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    """A prefix: ``result.`` finds every result action."""
    actor: str = ""
    """A part of the actor's label (``clerk:``, a username)."""
    subject: str = ""
    """Exactly ``result:12``, ``receipt:3``, …: one document's trail."""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    """Vietnam days, inclusive."""


def search_audit(
    session: Session, actor: Actor, filters: AuditFilter, *, limit: int = 200
) -> list[AuditEntry]:
    """Newest first, at most ``limit`` (≤ 500) entries."""
    require(actor, UserRole.ADMIN, scope="users")
    stmt = select(AuditEntry)
    if filters.action:
        stmt = stmt.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.actor:
        stmt = stmt.where(AuditEntry.actor.contains(filters.actor, autoescape=True))
    if filters.subject:
        stmt = stmt.where(AuditEntry.subject == filters.subject)
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time(), VIETNAM_TZ)
        stmt = stmt.where(AuditEntry.at >= start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), VIETNAM_TZ)
        stmt = stmt.where(AuditEntry.at < end)
    limit = max(1, min(limit, MAX_AUDIT_ROWS))
    return list(session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit)))
