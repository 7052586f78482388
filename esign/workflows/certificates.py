"""The ward's certificates for administrators: list, show, import, revoke (from the API and
``esign certs`` alike). A change locks, changes the folder, then audits, in the order
:mod:`.key_changes` explains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from certs import (
    CertificateBundle,
    CertificateEntry,
    PkiFolder,
    Revocation,
    RevocationReason,
    Role,
    read_certificate_bundle,
)
from certs.errors import UnknownEntityError

from ..db.models import User, UserRole
from ..errors import ConflictError, NotFoundError, ValidationError
from .actors import Actor, require
from .binding import binding_policy
from .key_changes import lock_key_changes, record_key_change
from .users import register_certificate

log = logging.getLogger("esign.certificates")

SIGNER_ROLES = tuple(role for role in Role if role.signs_documents)


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    name: str
    role: Role
    subject: str
    serial: str
    """Hexadecimal, as certificate viewers show it."""
    issuer: str
    """The issuing entity's name in the folder, or the issuer's subject for an imported one."""
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str
    revoked_at: dt.datetime | None
    revocation_reason: RevocationReason | None
    imported: bool
    has_key: bool
    is_ca: bool
    certificate_pem: str
    chain: tuple[str, ...]
    """Subjects of the issuers, nearest first."""


def describe(
    pki: PkiFolder, entry: CertificateEntry, revocation: Revocation | None
) -> CertificateInfo:
    cert = entry.certificate
    return CertificateInfo(
        name=entry.name,
        role=entry.role,
        subject=entry.subject,
        serial=format(cert.serial_number, "x"),
        issuer=entry.issuer,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        revoked_at=revocation.revoked_at if revocation else None,
        revocation_reason=revocation.reason if revocation else None,
        imported=entry.imported,
        has_key=entry.has_key,
        is_ca=entry.is_ca,
        certificate_pem=cert.public_bytes(Encoding.PEM).decode(),
        chain=tuple(c.subject.rfc4514_string() for c in pki.chain(entry.name)),
    )


def list_certificates(actor: Actor, pki: PkiFolder) -> list[CertificateInfo]:
    require(actor, UserRole.ADMIN, scope="certificates")
    revocations = {r.name: r for r in pki.revocations()}
    return [describe(pki, e, revocations.get(e.name)) for e in pki.entries()]


def get_certificate(actor: Actor, pki: PkiFolder, name: str) -> CertificateInfo:
    require(actor, UserRole.ADMIN, scope="certificates")
    return describe(pki, _entry(pki, name), pki.revocation_of(name))


def import_certificate(
    session: Session,
    actor: Actor,
    pki: PkiFolder,
    *,
    data: bytes,
    role: Role,
    now: dt.datetime,
    name: str | None = None,
    password: str | None = None,
    user_id: int | None = None,
    source: str = "tệp tải lên",
) -> CertificateInfo:
    """Register a certificate issued elsewhere and, with ``user_id``, bind it to that official."""
    require(actor, UserRole.ADMIN, scope="certificates")
    if not role.signs_documents:
        raise ValidationError(
            "Chỉ đăng ký chứng thư của người ký: " + ", ".join(r.label_vi for r in SIGNER_ROLES),
            "Only signers' certificates are imported: " + ", ".join(SIGNER_ROLES),
        )
    # Everything that can refuse the binding is checked before the folder changes.
    user = _official_for(session, user_id, role) if user_id is not None else None
    lock_key_changes(session)
    _refuse_duplicate(pki, read_certificate_bundle(data, password=password, source=source))
    entry = pki.import_certificate(
        data, role=role, now=now, name=name, password=password, source=source
    )
    info = describe(pki, entry, None)
    details: dict[str, Any] = {
        "name": info.name,
        "role": role.value,
        "subject": info.subject,
        "serial": info.serial,
        "sha256": info.sha256,
        "issuer": info.issuer,
        "has_key": info.has_key,
        "user_id": user_id,
    }
    record_key_change(
        session,
        actor,
        action="certificate.import",
        subject=f"certificate:{info.name}",
        details=details,
    )
    if user is not None:
        register_certificate(
            session,
            actor,
            user_id=user.id,
            certificate_pem=info.certificate_pem,
            policy=binding_policy(pki),
        )
    return info


def revoke_certificate(
    session: Session,
    actor: Actor,
    pki: PkiFolder,
    name: str,
    *,
    reason: RevocationReason,
    at: dt.datetime,
    now: dt.datetime,
) -> CertificateInfo:
    """Revoke one of the ward's certificates from ``at``; its issuer's CRL is re-published."""
    require(actor, UserRole.ADMIN, scope="certificates")
    entry = _entry(pki, name)
    sha256 = hashlib.sha256(entry.certificate.public_bytes(Encoding.DER)).hexdigest()
    bound = list(session.scalars(select(User.id).where(User.certificate_sha256 == sha256)))
    lock_key_changes(session)
    revocation = pki.revoke(name, reason=reason, at=at, now=now)
    details: dict[str, Any] = {
        "serial": format(revocation.serial_number, "x"),
        "sha256": sha256,
        "issuer": revocation.issuer,
        "reason": reason.value,
        "revoked_at": revocation.revoked_at.isoformat(),
        "crl_published": revocation.issuer,
        "bound_users": bound,
    }
    record_key_change(
        session, actor, action="certificate.revoke", subject=f"certificate:{name}", details=details
    )
    return describe(pki, entry, revocation)


CRL_REFRESH_MARGIN = dt.timedelta(days=2)
"""Re-publish a CRL this long before its nextUpdate, so a served CRL is never stale."""


def crl_is_due(der: bytes, *, now: dt.datetime) -> bool:
    next_update = x509.load_der_x509_crl(der).next_update_utc
    return next_update is None or next_update - now <= CRL_REFRESH_MARGIN


def publish_crl_if_due(session: Session, pki: PkiFolder, ca: str, *, now: dt.datetime) -> bytes:
    """The CRL of ``ca``, re-published if it is due. Under the same lock as the other folder
    changes; not audited: it restates the register, it changes nothing in it."""
    lock_key_changes(session)
    current = pki.crl(ca)
    if not crl_is_due(current, now=now):
        return current  # another process published it while we waited for the lock
    log.info("re-publishing the CRL of %s before its next update", ca)
    return pki.publish_crl(ca, now=now)


def _entry(pki: PkiFolder, name: str) -> CertificateEntry:
    try:
        return pki.entry(name)
    except UnknownEntityError as exc:
        raise NotFoundError(
            f"Không có chứng thư số tên “{name}”", f"No certificate named {name!r}"
        ) from exc


def _refuse_duplicate(pki: PkiFolder, bundle: CertificateBundle) -> None:
    """One certificate, one entry: two names for it would make 'whose key is this' ambiguous."""
    der = bundle.certificate.public_bytes(Encoding.DER)
    for entry in pki.entries():
        if entry.certificate.public_bytes(Encoding.DER) == der:
            raise ConflictError(
                f"Chứng thư này đã được đăng ký với tên “{entry.name}”",
                f"This certificate is already registered as {entry.name!r}",
            )


def _official_for(session: Session, user_id: int, role: Role) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không có người dùng này", "No such user")
    if user.role is not UserRole.OFFICIAL or not user.active:
        raise ValidationError(
            "Chỉ người ký đang hoạt động mới gắn chứng thư số",
            "Only an active official can be bound to a certificate",
        )
    if user.official_role != role.value:
        raise ValidationError(
            f"Vai trò chứng thư ({role.label_vi}) khác chức danh ký của {user.full_name}",
            f"Certificate role {role.value} differs from the official's {user.official_role}",
        )
    return user
