"""The ward's certificates for administrators: list, show, import, revoke.

The PKI folder is files and the audit log is a table, so one change cannot be atomic across
both. Each change runs in a database transaction, in this order:

1. lock the audit log's head row (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the
   write lock), which also serialises changes to the folder between app processes: the folder's
   manifest is a read-modify-write file with no lock of its own;
2. change the folder (import, or revoke and publish the new CRL);
3. append the audit entry, and bind the certificate to an official if asked;
4. commit (the caller's ``with db.transaction()``).

Why the folder before the commit: a refused change (wrong password, untrusted chain, already
revoked) is by far the common failure, and in this order it leaves nothing behind, neither in
the folder nor in the log. The other order (commit the entry, then change the folder) would
leave a log that claims changes which never happened. What remains is a database failure
between steps 2 and 4: the folder has changed and cannot be rolled back (a published CRL is
public), so it is logged at CRITICAL with everything needed to reconcile by hand; for a
revocation that is the safe direction (the certificate is revoked, only its entry is missing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import event, select
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

from .. import audit
from ..db.models import AuditHead, User, UserRole
from ..errors import ConflictError, NotFoundError, ValidationError
from .actors import Actor, require
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
    _lock_pki_changes(session)
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
    _report_if_rolled_back(session, "certificate.import", details)
    audit.append(
        session,
        actor=actor.label,
        action="certificate.import",
        subject=f"certificate:{info.name}",
        details=details,
    )
    if user is not None:
        register_certificate(session, actor, user_id=user.id, certificate_pem=info.certificate_pem)
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
    _lock_pki_changes(session)
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
    _report_if_rolled_back(session, "certificate.revoke", {"name": name, **details})
    audit.append(
        session,
        actor=actor.label,
        action="certificate.revoke",
        subject=f"certificate:{name}",
        details=details,
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
    _lock_pki_changes(session)
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


def _lock_pki_changes(session: Session) -> None:
    session.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update())


def _report_if_rolled_back(session: Session, change: str, details: dict[str, Any]) -> None:
    """From here on the folder has changed: a rollback must not pass silently."""
    state = {"settled": False}

    def committed(_session: Session) -> None:
        state["settled"] = True

    def rolled_back(_session: Session) -> None:
        if not state["settled"]:
            state["settled"] = True
            log.critical(
                "PKI folder changed (%s) but the database transaction rolled back: the audit "
                "log has no entry for it; reconcile by hand: %s",
                change,
                audit.canonical_json(details),
            )

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_rollback", rolled_back)
