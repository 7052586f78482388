"""What the administration desk reads and changes besides the workflows of each concept: the
audit log searched with filters (and one document's trail), and, until the credential
lifecycle's own functions (``users.set_user_active`` / ``users.reset_password``) are on this
branch, a user's deactivation and password reset with the same effects: every web session and
API token of the user ends at once, and the change is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from .. import audit
from ..db.models import ApiToken, AuditEntry, UserRole, WebSession
from ..db.types import utcnow
from ..errors import ConflictError, ValidationError
from ..security import hash_password
from .actors import Actor, require
from .users import MIN_PASSWORD, get_user

MAX_AUDIT_ROWS = 500


def _end_everything(session: Session, user_id: int) -> int:
    ended = 0
    for ws in session.scalars(select(WebSession).where(WebSession.user_id == user_id)).all():
        session.delete(ws)
        ended += 1
    now = utcnow()
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).all():
        token.revoked_at = now
        ended += 1
    return ended


def set_user_active(session: Session, actor: Actor, *, user_id: int, active: bool) -> int:
    """Deactivate (every session and token ends at once) or reactivate a user; returns how
    many sessions and tokens ended."""
    require(actor, UserRole.ADMIN, scope="users")
    if user_id == actor.user_id and not active:
        raise ConflictError(
            "Không tự khóa tài khoản của chính mình", "You cannot deactivate yourself"
        )
    user = get_user(session, user_id)
    ended = 0 if active else _end_everything(session, user.id)
    user.active = active
    audit.append(
        session,
        actor=actor.label,
        action="user.activate" if active else "user.deactivate",
        subject=f"user:{user.id}",
        details={"ended": ended},
    )
    return ended


def reset_password(session: Session, actor: Actor, *, user_id: int, new_password: str) -> None:
    """An administrator sets a new password; the user's sessions and tokens end."""
    require(actor, UserRole.ADMIN, scope="users")
    if len(new_password) < MIN_PASSWORD or not new_password.strip():
        raise ValidationError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự",
            f"Password must have at least {MIN_PASSWORD} characters",
        )
    user = get_user(session, user_id)
    user.password_hash = hash_password(new_password)
    ended = _end_everything(session, user.id)
    audit.append(
        session,
        actor=actor.label,
        action="password.reset",
        subject=f"user:{user.id}",
        details={"ended": ended},
    )


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
