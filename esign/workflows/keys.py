"""Opening an official's key for a signing batch: a PKCS#12 file or a PKCS#11 token, as the
administrator registered it, with the password or PIN the official types for this batch only
(never stored, logged or returned).

What an administrator may register is bounded: a PKCS#12 file only inside the data folder's key
directory (``<data>/pki/keys``: no other server file is read, and no answer says whether a file
exists elsewhere), a PKCS#11 module only from ``ESIGN_PKCS11_MODULES`` (a module is code the
server loads). The password or PIN is throttled like a login (:mod:`.throttle`, key
``signkey:<user id>``): growing delays, then a lockout an administrator lifts; errors never
show the key file's server path."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from certs import CertsError, KeyStore, Pkcs11KeyStore, Pkcs12KeyStore

from .. import audit
from ..config import Settings
from ..db import Database
from ..db.models import User, UserRole
from ..errors import NotFoundError, SigningError, ValidationError
from ..signing.tokens import CertificateSource, TokenCertificateReader
from . import throttle
from .actors import Actor, require

_GUESSES = ("wrong_password", "wrong_pin")
"""Codes of a wrong secret: counted by the throttle (a broken file or absent token is not)."""


@dataclass(frozen=True, slots=True)
class KeyPolicy:
    """Where keys may be: the data folder's key directory, the allowed PKCS#11 modules."""

    key_dir: Path
    pkcs11_modules: Sequence[Path] = ()


def key_policy(settings: Settings) -> KeyPolicy:
    """The service's policy: ``<data>/pki/keys`` and ``ESIGN_PKCS11_MODULES``."""
    return KeyPolicy(
        key_dir=settings.data_dir / "pki" / "keys", pkcs11_modules=tuple(settings.pkcs11_modules)
    )


def _key_file(policy: KeyPolicy, path: str) -> Path:
    """The file inside the key directory (a name, or a path that resolves inside it)."""
    root = policy.key_dir.resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise ValidationError(
            "Tệp khóa phải nằm trong thư mục khóa của dữ liệu (pki/keys)",
            "The key file must be in the data folder's key directory (pki/keys)",
            code="key_path_refused",
        )
    return resolved


def _module(policy: KeyPolicy, module: str) -> str:
    allowed = {p.resolve() for p in policy.pkcs11_modules}
    if Path(module).resolve() not in allowed:
        raise ValidationError(
            "Thư viện PKCS#11 không nằm trong danh sách cho phép (ESIGN_PKCS11_MODULES)",
            "The PKCS#11 module is not in the allow-list (ESIGN_PKCS11_MODULES)",
            code="pkcs11_module_refused",
        )
    return module


def _without_path(exc: CertsError) -> SigningError:
    """The error of a PKCS#12 file, without its server path."""
    messages = {
        "wrong_password": ("Sai mật khẩu của tệp khóa", "Wrong password for the key file"),
        "corrupt_key_file": ("Tệp khóa hỏng hoặc sai định dạng", "Corrupt or invalid key file"),
        "key_mismatch": ("Khóa bí mật không khớp chứng thư số", "Key does not match certificate"),
    }
    vi, en = messages.get(exc.code, ("Không mở được tệp khóa", "Cannot open the key file"))
    return SigningError(vi, en, code=exc.code)


def open_key_store(source: dict[str, Any] | None, *, secret: str, policy: KeyPolicy) -> KeyStore:
    if not source:
        raise SigningError(
            "Chưa khai báo khóa ký cho người ký này",
            "No signing key is registered for this official",
            code="no_key_source",
        )
    if source.get("kind") == "pkcs12":
        try:
            return Pkcs12KeyStore(_key_file(policy, source["path"]), password=secret)
        except CertsError as exc:
            raise _without_path(exc) from exc
    try:
        if source.get("kind") == "pkcs11":
            return Pkcs11KeyStore(
                module=_module(policy, source["module"]),
                token_label=source["token_label"],
                key_label=source["key_label"],
                cert_label=source.get("cert_label"),
                pin=secret,
            )
    except CertsError as exc:
        raise SigningError(exc.message_vi, exc.message_en, code=exc.code) from exc
    raise SigningError("Loại khóa ký không hỗ trợ", "Unsupported key source", code="bad_key_source")


@dataclass(frozen=True, slots=True)
class SigningKey:
    store: KeyStore
    current_certificate: CertificateSource | None
    """Reads the certificate where the key lives now (a token); None for a PKCS#12 file,
    whose certificate was read once with the key."""


@contextmanager
def open_signing_key(
    source: dict[str, Any] | None, *, secret: str, policy: KeyPolicy
) -> Iterator[SigningKey]:
    """The key store for one batch and, for a token, a reader of its certificate (closed
    before the store: a session left open would keep the token logged in)."""
    with open_key_store(source, secret=secret, policy=policy) as store:
        reader = None
        if source and source.get("kind") == "pkcs11":
            reader = TokenCertificateReader(
                module=source["module"],
                token_label=source["token_label"],
                label=source.get("cert_label") or source["key_label"],
            )
        try:
            yield SigningKey(store=store, current_certificate=reader)
        finally:
            if reader is not None:
                reader.close()


@contextmanager
def open_official_key(
    db: Database, actor: Actor, *, secret: str, policy: KeyPolicy
) -> Iterator[SigningKey]:
    """The acting official's key for one batch, throttled: refused while ``signkey:<id>`` is
    delayed or locked; a wrong password or PIN is counted and audited (committed before the
    error is raised), a success forgets the count."""
    key = throttle.signing_key(actor.user_id)
    with db.reading() as s:
        throttle.check(s, key)
        source = key_source_of(s, actor)
    try:
        opened = open_signing_key(source, secret=secret, policy=policy)
        signing = opened.__enter__()
    except SigningError as exc:
        if exc.code in _GUESSES:
            with db.transaction() as s:
                audit.append(
                    s, actor=actor.label, action="signkey.failed", subject=f"user:{actor.user_id}"
                )
                throttle.record_failure(s, key, can_lock=True, actor_label=actor.label)
        raise
    try:
        with db.transaction() as s:
            throttle.record_success(s, key)
        yield signing
    finally:
        opened.__exit__(None, None, None)


def key_source_of(session: Session, actor: Actor) -> dict[str, Any] | None:
    """Where the acting official's key is, as the administrator registered it."""
    user = session.get(User, actor.user_id)
    return user.key_source if user is not None else None


def set_key_source(
    session: Session,
    actor: Actor,
    *,
    user_id: int,
    source: dict[str, Any],
    policy: KeyPolicy,
) -> User:
    require(actor, UserRole.ADMIN, scope="certificates")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không có người dùng này", "No such user")
    if user.role is not UserRole.OFFICIAL:
        raise ValidationError("Chỉ người ký mới có khóa ký", "Only officials have signing keys")
    kind = source.get("kind")
    allowed = {
        "pkcs12": {"kind", "path"},
        "pkcs11": {"kind", "module", "token_label", "key_label", "cert_label"},
    }
    if (
        kind not in allowed
        or set(source) - allowed[kind]
        or not all(isinstance(v, str) and v for k, v in source.items() if k != "cert_label")
    ):
        raise ValidationError(
            "Khai báo khóa ký không hợp lệ (pkcs12: path; pkcs11: module, token_label, key_label)",
            "Invalid key source (pkcs12: path; pkcs11: module, token_label, key_label)",
        )
    source = dict(source)
    if kind == "pkcs12":
        source["path"] = str(_key_file(policy, source["path"]))
    else:
        _module(policy, source["module"])
    user.key_source = source
    audit.append(
        session,
        actor=actor.label,
        action="user.key_source",
        subject=f"user:{user.id}",
        details={"kind": kind},
    )
    return user
