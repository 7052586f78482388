"""Users, logins, API tokens and web sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import ApiToken, User, UserRole, WebSession
from ..db.types import utcnow
from ..errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from ..identifiers import OfficialRole
from ..security import TOKEN_PREFIX, check_password, hash_password, new_secret, sha256_hex
from .actors import Actor, require
from .paging import Page, page_of

OFFICIAL_ROLES = tuple(OfficialRole)
SCOPES = ("fees", "dossiers", "receipts", "results", "reports", "certificates", "users", "tsa")
MIN_PASSWORD = 10
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
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự",
            f"Password must have at least {MIN_PASSWORD} characters",
        )
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
    session: Session, actor: Actor, *, user_id: int, certificate_pem: str
) -> User:
    """Bind an official to the certificate they must sign with."""
    require(actor, UserRole.ADMIN, scope="certificates")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không có người dùng này", "No such user")
    if user.role is not UserRole.OFFICIAL:
        raise ValidationError(
            "Chỉ người ký mới gắn chứng thư số", "Only officials have certificates"
        )
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as exc:
        raise ValidationError(
            "Chứng thư số không đọc được (PEM)", "Unreadable certificate"
        ) from exc
    from cryptography.hazmat.primitives.serialization import Encoding

    user.certificate_pem = certificate_pem
    user.certificate_sha256 = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    audit.append(
        session,
        actor=actor.label,
        action="user.certificate",
        subject=f"user:{user.id}",
        details={"sha256": user.certificate_sha256, "subject": cert.subject.rfc4514_string()},
    )
    return user


LOGIN_FAILED = AuthenticationError("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")


def check_login(session: Session, *, username: str, password: str) -> User | None:
    """The user, or None for a failed login. Both are written to the audit log, so the caller
    commits before it refuses (raising here would roll the failure's entry back)."""
    user = session.scalar(select(User).where(User.username == username))
    ok = check_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        audit.append(
            session, actor=f"anonymous:{username[:60]}", action="login.failed", subject="login"
        )
        return None
    audit.append(session, actor=Actor.of(user).label, action="login", subject=f"user:{user.id}")
    return user


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
