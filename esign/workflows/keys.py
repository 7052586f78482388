"""Opening an official's key for a signing batch: a PKCS#12 file or a PKCS#11 token, as the
administrator registered it, with the password or PIN the official types for this batch only
(never stored, logged or returned)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from certs import CertsError, KeyStore, Pkcs11KeyStore, Pkcs12KeyStore

from .. import audit
from ..db.models import User, UserRole
from ..errors import NotFoundError, SigningError, ValidationError
from ..signing.tokens import CertificateSource, TokenCertificateReader
from .actors import Actor, require


def open_key_store(source: dict[str, Any] | None, *, secret: str) -> KeyStore:
    if not source:
        raise SigningError(
            "Chưa khai báo khóa ký cho người ký này",
            "No signing key is registered for this official",
            code="no_key_source",
        )
    try:
        if source.get("kind") == "pkcs12":
            return Pkcs12KeyStore(Path(source["path"]), password=secret)
        if source.get("kind") == "pkcs11":
            return Pkcs11KeyStore(
                module=source["module"],
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
def open_signing_key(source: dict[str, Any] | None, *, secret: str) -> Iterator[SigningKey]:
    """The key store for one batch and, for a token, a reader of its certificate (closed
    before the store: a session left open would keep the token logged in)."""
    with open_key_store(source, secret=secret) as store:
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


def key_source_of(session: Session, actor: Actor) -> dict[str, Any] | None:
    """Where the acting official's key is, as the administrator registered it."""
    user = session.get(User, actor.user_id)
    return user.key_source if user is not None else None


def set_key_source(session: Session, actor: Actor, *, user_id: int, source: dict[str, Any]) -> User:
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
    user.key_source = dict(source)
    audit.append(
        session,
        actor=actor.label,
        action="user.key_source",
        subject=f"user:{user.id}",
        details={"kind": kind},
    )
    return user
