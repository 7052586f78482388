"""Failed attempts: growing delays, then a lockout an administrator lifts.

One row per thing guessed at (:class:`~esign.db.models.AuthThrottle`), in the database so every
app process behind the load balancer sees the same count:

- ``user:<name>``: a login's account. After :data:`FREE` failures each new one blocks the
  account for a doubling delay (2 s, 4 s, … up to 15 min); after :data:`LOCKOUT` failures it is
  locked until an administrator lifts it (``unlock``). A success resets it.
- ``addr:<client address>``: the same delays for all logins from one address (a password spray
  over many names), never a lockout (a shared office or carrier NAT must not lock itself out).
- ``signkey:<user id>``: the password or PIN of an official's signing key, as an account;
  ``password:<user id>``: the current password typed to change it.

A refused attempt (still blocked) costs one read and no password hash, and writes nothing: a
flood of blocked guesses neither burns the CPU on argon2 nor queues on the write lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import AuthThrottle, UserRole
from ..db.types import utcnow
from ..errors import NotFoundError, TooManyAttempts
from .actors import Actor, require

FREE = 5
"""Failures allowed before any delay (typos happen)."""
LOCKOUT = 10
"""Failures of one account or key before an administrator must lift the lock."""
MAX_DELAY = dt.timedelta(minutes=15)


def account_key(username: str) -> str:
    return f"user:{username.strip().lower()[:64]}"


def address_key(address: str) -> str:
    return f"addr:{address[:100]}"


def signing_key(user_id: int) -> str:
    return f"signkey:{user_id}"


def password_key(user_id: int) -> str:
    """The current password typed to change it (a stolen session must not guess it)."""
    return f"password:{user_id}"


def check(session: Session, *keys: str) -> None:
    """Refuse (:class:`TooManyAttempts`) while any of ``keys`` is blocked or locked."""
    now = utcnow()
    rows = session.scalars(select(AuthThrottle).where(AuthThrottle.key.in_(keys))).all()
    waits = [r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now]
    if any(r.locked for r in rows):
        raise TooManyAttempts(retry_after=None, locked=True)
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
        raise TooManyAttempts(retry_after=seconds, locked=False)


def record_failure(session: Session, key: str, *, can_lock: bool, actor_label: str) -> None:
    """Count one failure of ``key``; audit the start of a delay and a lockout."""
    now = utcnow()
    row = session.get(AuthThrottle, key, with_for_update=True)
    if row is None:
        row = AuthThrottle(key=key, failures=0, locked=False)
        session.add(row)
    row.failures += 1
    row.last_failure_at = now
    if row.failures > FREE:
        delay = min(dt.timedelta(seconds=2 ** min(row.failures - FREE, 20)), MAX_DELAY)
        row.blocked_until = now + delay
        if row.failures == FREE + 1:
            audit.append(session, actor=actor_label, action="throttle.delay", subject=key)
    if can_lock and row.failures >= LOCKOUT and not row.locked:
        row.locked = True
        audit.append(
            session,
            actor=actor_label,
            action="throttle.lockout",
            subject=key,
            details={"failures": row.failures},
        )
    session.flush()


def record_success(session: Session, key: str, *, lift_lock: bool = False) -> None:
    """Forget ``key``'s failures (a lockout stays unless ``lift_lock``)."""
    row = session.get(AuthThrottle, key)
    if row is not None and (lift_lock or not row.locked):
        session.delete(row)


@dataclass(frozen=True, slots=True)
class ThrottleState:
    key: str
    failures: int
    blocked_until: dt.datetime | None
    locked: bool


def list_throttles(session: Session, actor: Actor) -> list[ThrottleState]:
    """Accounts, addresses and keys with failures (for the administrator's desk)."""
    require(actor, UserRole.ADMIN, scope="users")
    rows = session.scalars(select(AuthThrottle).order_by(AuthThrottle.key)).all()
    return [ThrottleState(r.key, r.failures, r.blocked_until, r.locked) for r in rows]


def unlock(session: Session, actor: Actor, *, key: str) -> None:
    """Lift a lockout or delay (``user:<name>``, ``addr:<address>``, ``signkey:<id>``)."""
    require(actor, UserRole.ADMIN, scope="users")
    row = session.get(AuthThrottle, key, with_for_update=True)
    if row is None:
        raise NotFoundError("Không có khóa nào như vậy", "No such lockout")
    details = {"failures": row.failures, "locked": row.locked}
    session.delete(row)
    audit.append(session, actor=actor.label, action="throttle.unlock", subject=key, details=details)
