"""Users, logins, API tokens and web sessions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..db import Database
from ..db.models import ApiToken, User, UserRole, WebSession
from ..db.types import utcnow
from ..errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from ..identifiers import OfficialRole
from ..security import (
    TOKEN_PREFIX,
    check_password,
    hash_password,
    new_secret,
    password_problem,
    printable,
    sha256_hex,
)
from . import throttle
from .actors import Actor, require
from .binding import BindingPolicy, check_binding, fingerprint, names_the_official
from .paging import Page, page_of

OFFICIAL_ROLES = tuple(OfficialRole)
SCOPES = ("fees", "dossiers", "receipts", "results", "reports", "certificates", "users", "tsa")
REFUSAL_DELAY = 1.0
"""Seconds a refused (throttled) login waits before its answer, without a thread: a tarpit."""
SESSION_HOURS = 10
_USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
# A hash to check against when the user does not exist, so that a login for an unknown name
# takes as long as one with a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-0")


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: UserRole,
    password: str,
    official_role: OfficialRole | str | None = None,
    title: str | None = None,
) -> User:
    require(actor, UserRole.ADMIN, scope="users")
    if not _USERNAME.match(username):
        raise ValidationError(
            "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch",
            "Username: 3-64 characters a-z 0-9 . _ -",
        )
    check_password_policy(password, username=username)
    signs_as = _official_role(official_role) if role is UserRole.OFFICIAL else None
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"Tên đăng nhập {username} đã có", f"Username {username} exists")
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        official_role=signs_as.value if signs_as else None,
        title=title,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="user.create",
        subject=f"user:{user.id}",
        details={"username": username, "role": role.value, "official_role": user.official_role},
    )
    return user


def _official_role(value: OfficialRole | str | None) -> OfficialRole:
    try:
        return OfficialRole(value or "")
    except ValueError:
        names = ", ".join(OFFICIAL_ROLES)
        raise ValidationError(
            f"Người ký cần chức danh ký: {names}", f"An official needs a signing role: {names}"
        ) from None


def register_certificate(
    session: Session,
    actor: Actor,
    *,
    user_id: int,
    certificate_pem: str,
    policy: BindingPolicy,
) -> User:
    """Bind an official to the certificate they must sign with, checked
    (:mod:`.binding`); a certificate that does not name the official waits for a second
    administrator (:func:`confirm_certificate`): ``user.certificate_pending_pem`` is then set."""
    require(actor, UserRole.ADMIN, scope="certificates")
    user = _official(session, user_id)
    cert = _certificate(certificate_pem)
    _check_binding(session, user, cert, policy)
    subject = cert.subject.rfc4514_string()
    if not names_the_official(cert, user.full_name):
        user.certificate_pending_pem, user.certificate_pending_by = certificate_pem, actor.user_id
        audit.append(
            session,
            actor=actor.label,
            action="user.certificate_pending",
            subject=f"user:{user.id}",
            details={"sha256": fingerprint(cert), "subject": subject},
        )
        return user
    return _bind(session, actor, user, cert, certificate_pem, confirmed_by=None)


def confirm_certificate(
    session: Session, actor: Actor, *, user_id: int, policy: BindingPolicy
) -> User:
    """A second administrator confirms a pending binding (checked again)."""
    require(actor, UserRole.ADMIN, scope="certificates")
    user = _official(session, user_id)
    pem = user.certificate_pending_pem
    if pem is None:
        raise NotFoundError("Không có chứng thư số chờ xác nhận", "No certificate awaits approval")
    if user.certificate_pending_by == actor.user_id:
        raise ConflictError(
            "Cần một quản trị viên khác xác nhận", "Another administrator must confirm it"
        )
    cert = _certificate(pem)
    _check_binding(session, user, cert, policy)
    return _bind(session, actor, user, cert, pem, confirmed_by=user.certificate_pending_by)


def _official(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError("Không có người dùng này", "No such user")
    if user.role is not UserRole.OFFICIAL:
        raise ValidationError(
            "Chỉ người ký mới gắn chứng thư số", "Only officials have certificates"
        )
    return user


def _certificate(pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except ValueError as exc:
        raise ValidationError(
            "Chứng thư số không đọc được (PEM)", "Unreadable certificate"
        ) from exc


def _check_binding(
    session: Session, user: User, cert: x509.Certificate, policy: BindingPolicy
) -> None:
    others = session.scalars(
        select(User.certificate_sha256).where(
            User.id != user.id, User.certificate_sha256.is_not(None)
        )
    ).all()
    check_binding(cert, policy=policy, bound_elsewhere=[o for o in others if o], at=utcnow())


def _bind(
    session: Session,
    actor: Actor,
    user: User,
    cert: x509.Certificate,
    pem: str,
    *,
    confirmed_by: int | None,
) -> User:
    user.certificate_pem, user.certificate_sha256 = pem, fingerprint(cert)
    user.certificate_pending_pem = user.certificate_pending_by = None
    audit.append(
        session,
        actor=actor.label,
        action="user.certificate",
        subject=f"user:{user.id}",
        details={
            "sha256": user.certificate_sha256,
            "subject": cert.subject.rfc4514_string(),
            "proposed_by": confirmed_by,
        },
    )
    return user


LOGIN_FAILED = AuthenticationError("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")


def check_password_policy(password: str, *, username: str) -> None:
    problem = password_problem(password, username=username)
    if problem is not None:
        raise ValidationError(*problem, code="weak_password")


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    actor: Actor
    session_secret: str


def login(
    db: Database,
    *,
    username: str,
    password: str,
    address: str,
    replaces_session: str | None = None,
) -> LoginOutcome:
    """Check a login and open a web session, or raise (:data:`LOGIN_FAILED`,
    :class:`~esign.errors.TooManyAttempts`).

    Three steps so that the password hash (argon2, ~50 ms of CPU) never runs under the
    database's write lock: read the user and the throttles (a read, no lock); hash, with no
    transaction open; then one short write transaction records the outcome (audit, throttle
    counts, session). A still-blocked account or address is refused at the first step, before
    any hash and without a write. The failure is committed before the refusal is raised."""
    name = username.strip().lower()[:64]
    keys = (throttle.account_key(name), throttle.address_key(address))
    with db.reading() as s:
        throttle.check(s, *keys)
        user = s.scalar(select(User).where(User.username == name))
        stored = user.password_hash if user is not None else _DUMMY_HASH
        user_id = user.id if user is not None else None
    ok = check_password(stored, password) and user_id is not None
    with db.transaction() as s:
        user = s.get(User, user_id) if user_id is not None else None
        if not ok or user is None or not user.active:
            # Escaped and cut: the name is the attacker's text (a newline, an ANSI escape).
            label = f"anonymous:{printable(name)}"[:100]
            audit.append(
                s, actor=label, action="login.failed", subject="login", details={"from": address}
            )
            # Only a name that exists can be locked: an unknown one gets the delays only, so
            # an attacker cannot fill the table with lockouts of names nobody has.
            throttle.record_failure(s, keys[0], can_lock=user is not None, actor_label=label)
            throttle.record_failure(s, keys[1], can_lock=False, actor_label=label)
            failed = True
        else:
            failed = False
            throttle.record_success(s, keys[0])
            actor = Actor.of(user)
            audit.append(
                s,
                actor=actor.label,
                action="login",
                subject=f"user:{user.id}",
                details={"from": address},
            )
            if replaces_session:
                end_web_session(s, replaces_session)  # a fresh session id at every login
            secret = start_web_session(s, user)
    if failed:
        raise LOGIN_FAILED
    return LoginOutcome(actor=actor, session_secret=secret)


def create_api_token(
    session: Session, actor: Actor, *, name: str, scopes: tuple[str, ...], days: int = 90
) -> tuple[ApiToken, str]:
    """A scoped, expiring token for an integration; the secret is shown once, only its hash kept."""
    if actor.scopes is not None:
        raise ValidationError("Mã truy cập không tạo được mã mới", "A token cannot create tokens")
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValidationError(
            f"Quyền không hợp lệ: {', '.join(sorted(unknown)) or '(trống)'}; "
            f"có: {', '.join(SCOPES)}",
            "Invalid scopes",
        )
    if not 1 <= days <= 366:
        raise ValidationError("Hạn dùng từ 1 đến 366 ngày", "Expiry must be 1-366 days")
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=actor.user_id,
        name=name,
        token_sha256=sha256_hex(secret),
        scopes=sorted(scopes),
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="token.create",
        subject=f"token:{token.id}",
        details={"name": name, "scopes": sorted(scopes), "days": days},
    )
    return token, secret


def actor_for_token(session: Session, secret: str) -> Actor:
    token = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == sha256_hex(secret)))
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.active
    ):
        raise AuthenticationError(
            "Mã truy cập không hợp lệ hoặc đã hết hạn", "Invalid or expired token"
        )
    return Actor.of(token.user, scopes=frozenset(token.scopes))


def start_web_session(session: Session, user: User) -> str:
    secret = new_secret()
    session.add(
        WebSession(
            id_sha256=sha256_hex(secret),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    return secret


def actor_for_session(session: Session, secret: str) -> Actor:
    ws = session.get(WebSession, sha256_hex(secret))
    if ws is None or ws.expires_at <= utcnow() or not ws.user.active:
        raise AuthenticationError("Phiên đăng nhập đã hết hạn", "Session expired")
    return Actor.of(ws.user)


def end_web_session(session: Session, secret: str) -> None:
    ws = session.get(WebSession, sha256_hex(secret))
    if ws is not None:
        session.delete(ws)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không có người dùng này", "No such user")
    return user


def list_users(session: Session, actor: Actor, *, offset: int = 0, limit: int = 50) -> Page[User]:
    require(actor, UserRole.ADMIN, scope="users")
    return page_of(session, select(User), order_by=User.id, offset=offset, limit=limit)


@dataclass(frozen=True, slots=True)
class UserCounts:
    total: int
    active: int


def count_users(session: Session) -> UserCounts:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    active = session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    return UserCounts(total=total, active=active or 0)


def api_tokens_of(session: Session, actor: Actor) -> list[ApiToken]:
    """The caller's own API tokens (never the secrets: only their hashes are stored)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id)))


# --- The credential lifecycle: revoke, list, deactivate, change and reset passwords. ---


def _own_or_admin(actor: Actor, user_id: int) -> None:
    if actor.user_id != user_id:
        require(actor, UserRole.ADMIN, scope="users")


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A web session as shown to its owner or an administrator: ``ref`` names it (the first
    16 hex digits of the stored hash, never the cookie's secret)."""

    ref: str
    user_id: int
    created_at: dt.datetime
    expires_at: dt.datetime


def list_sessions(session: Session, actor: Actor, *, user_id: int) -> list[SessionInfo]:
    _own_or_admin(actor, user_id)
    rows = session.scalars(
        select(WebSession)
        .where(WebSession.user_id == user_id, WebSession.expires_at > utcnow())
        .order_by(WebSession.created_at)
    )
    return [SessionInfo(w.id_sha256[:16], w.user_id, w.created_at, w.expires_at) for w in rows]


def end_session(session: Session, actor: Actor, *, user_id: int, ref: str) -> None:
    """End one of ``user_id``'s web sessions by its ``ref`` (see :class:`SessionInfo`)."""
    _own_or_admin(actor, user_id)
    if not re.fullmatch(r"[0-9a-f]{16}", ref):
        raise NotFoundError("Không có phiên này", "No such session")
    found = session.scalars(
        select(WebSession).where(
            WebSession.user_id == user_id, WebSession.id_sha256.startswith(ref)
        )
    ).all()
    if len(found) != 1:
        raise NotFoundError("Không có phiên này", "No such session")
    session.delete(found[0])
    audit.append(
        session,
        actor=actor.label,
        action="session.end",
        subject=f"user:{user_id}",
        details={"session": ref},
    )


def list_api_tokens(session: Session, actor: Actor, *, user_id: int) -> list[ApiToken]:
    """A user's API tokens, revoked and expired ones included (hashes only, no secret)."""
    _own_or_admin(actor, user_id)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


def revoke_api_token(session: Session, actor: Actor, *, token_id: int) -> ApiToken:
    """Revoke a token at once (its owner, or an administrator); revoking twice is harmless."""
    token = session.get(ApiToken, token_id, with_for_update=True)
    if token is None or (token.user_id != actor.user_id and actor.role is not UserRole.ADMIN):
        raise NotFoundError("Không có mã truy cập này", "No such token")
    _own_or_admin(actor, token.user_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.append(
            session,
            actor=actor.label,
            action="token.revoke",
            subject=f"token:{token.id}",
            details={"user": token.user_id, "name": token.name},
        )
    return token


def _end_everything(session: Session, user_id: int, *, keep_session: str | None = None) -> int:
    """End a user's web sessions (but ``keep_session``'s) and revoke their tokens."""
    ended = 0
    for ws in session.scalars(select(WebSession).where(WebSession.user_id == user_id)).all():
        if keep_session is None or ws.id_sha256 != sha256_hex(keep_session):
            session.delete(ws)
            ended += 1
    if keep_session is None:
        now = utcnow()
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        ).all():
            token.revoked_at = now
            ended += 1
    return ended


def set_user_active(session: Session, actor: Actor, *, user_id: int, active: bool) -> User:
    """Deactivate (every session and token ends at once) or reactivate a user."""
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
    return user


def change_password(
    db: Database,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    session_secret: str | None = None,
) -> None:
    """Change one's own password (the current one is required, and counts as a login attempt
    for the throttle); every other web session ends. Hashes outside the write lock."""
    key = throttle.password_key(actor.user_id)
    with db.reading() as s:
        throttle.check(s, key)
        user = get_user(s, actor.user_id)
        stored, username = user.password_hash, user.username
    check_password_policy(new_password, username=username)
    ok = check_password(stored, current_password)
    new_hash = hash_password(new_password) if ok else None
    with db.transaction() as s:
        if new_hash is None:
            throttle.record_failure(s, key, can_lock=True, actor_label=actor.label)
            audit.append(
                s,
                actor=actor.label,
                action="password.change_failed",
                subject=f"user:{actor.user_id}",
            )
        else:
            user = get_user(s, actor.user_id)
            user.password_hash, user.password_changed_at = new_hash, utcnow()
            ended = _end_everything(s, user.id, keep_session=session_secret or "")
            throttle.record_success(s, key)
            audit.append(
                s,
                actor=actor.label,
                action="password.change",
                subject=f"user:{user.id}",
                details={"sessions_ended": ended},
            )
    if new_hash is None:
        raise AuthenticationError("Mật khẩu hiện tại không đúng", "Current password is wrong")


def reset_password(db: Database, actor: Actor, *, user_id: int, new_password: str) -> None:
    """An administrator sets a new password: the user's sessions and tokens end, and a
    lockout of the account is lifted."""
    require(actor, UserRole.ADMIN, scope="users")
    with db.reading() as s:
        username = get_user(s, user_id).username
    check_password_policy(new_password, username=username)
    new_hash = hash_password(new_password)
    with db.transaction() as s:
        user = get_user(s, user_id)
        user.password_hash, user.password_changed_at = new_hash, utcnow()
        ended = _end_everything(s, user.id)
        throttle.record_success(s, throttle.account_key(user.username), lift_lock=True)
        audit.append(
            s,
            actor=actor.label,
            action="password.reset",
            subject=f"user:{user.id}",
            details={"ended": ended},
        )
