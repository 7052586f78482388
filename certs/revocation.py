"""Revocation: the ward's own register, CRLs it signs, and checking a certificate against them.

Everything here is plain data in, bytes out, so that esign can serve a CRL over HTTP and keep
the register wherever it likes (the data folder for now).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from .algorithms import to_asn1
from .errors import CertificateParseError
from .keystores import KeyStore
from .spec import RevocationReason

# A validator's clock and ours may differ by a little; a CRL issued "now" must be usable now.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Revocation:
    issuer: str
    """Entity name of the CA that issued the revoked certificate."""
    serial_number: int
    name: str
    """Entity name of the revoked certificate."""
    reason: RevocationReason
    revoked_at: datetime


class CertStatus(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RevocationStatus:
    status: CertStatus
    revoked_at: datetime | None = None
    reason: RevocationReason | None = None
    source: str = ""
    """Where the answer came from: ``register`` or ``crl``."""


class RevocationChecker(Protocol):
    """Answers "was this certificate revoked at ``at``?"; UNKNOWN when it cannot say."""

    def status(
        self, certificate: x509.Certificate, *, issuer: x509.Certificate, at: datetime
    ) -> RevocationStatus: ...


@dataclass(frozen=True)
class RevocationRegister:
    """The ward's own answer: every certificate its CAs issued, and the revocations."""

    authorities: Mapping[str, x509.Certificate]
    """CA entity name → CA certificate."""
    issued: Mapping[str, frozenset[int]]
    """CA entity name → serial numbers it issued."""
    revocations: tuple[Revocation, ...] = field(default=())

    def authority_of(self, issuer: x509.Certificate) -> str | None:
        for name, authority in self.authorities.items():
            same_key = authority.public_key() == issuer.public_key()
            if authority.subject == issuer.subject and same_key:
                return name
        return None

    def lookup(self, authority: str, serial_number: int, *, at: datetime) -> RevocationStatus:
        if serial_number not in self.issued.get(authority, frozenset()):
            return RevocationStatus(CertStatus.UNKNOWN, source="register")
        for revocation in self.revocations:
            if (
                revocation.issuer == authority
                and revocation.serial_number == serial_number
                and revocation.revoked_at <= at
            ):
                return RevocationStatus(
                    CertStatus.REVOKED,
                    revoked_at=revocation.revoked_at,
                    reason=revocation.reason,
                    source="register",
                )
        return RevocationStatus(CertStatus.GOOD, source="register")

    def status(
        self, certificate: x509.Certificate, *, issuer: x509.Certificate, at: datetime
    ) -> RevocationStatus:
        authority = self.authority_of(issuer)
        if authority is None:
            return RevocationStatus(CertStatus.UNKNOWN, source="register")
        return self.lookup(authority, certificate.serial_number, at=at)


class CrlRevocationChecker:
    """Checks against CRLs (DER), e.g. downloaded from a government CA."""

    def __init__(self, crls: Iterable[bytes]) -> None:
        self._crls: list[x509.CertificateRevocationList] = []
        for data in crls:
            try:
                self._crls.append(x509.load_der_x509_crl(data))
            except ValueError as exc:
                raise CertificateParseError(
                    "Danh sách thu hồi (CRL) bị hỏng", "the CRL is corrupt (not DER)"
                ) from exc

    def status(
        self, certificate: x509.Certificate, *, issuer: x509.Certificate, at: datetime
    ) -> RevocationStatus:
        for crl in self._crls:
            if crl.issuer != issuer.subject or not _signed_by(crl, issuer):
                continue
            next_update = crl.next_update_utc
            if crl.last_update_utc > at + CLOCK_SKEW or (next_update and next_update < at):
                continue  # not about the moment asked
            entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if entry is None:
                return RevocationStatus(CertStatus.GOOD, source="crl")
            if entry.revocation_date_utc > at:
                return RevocationStatus(CertStatus.GOOD, source="crl")
            return RevocationStatus(
                CertStatus.REVOKED,
                revoked_at=entry.revocation_date_utc,
                reason=_entry_reason(entry),
                source="crl",
            )
        return RevocationStatus(CertStatus.UNKNOWN, source="crl")


def _signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _entry_reason(entry: x509.RevokedCertificate) -> RevocationReason:
    try:
        flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return RevocationReason.UNSPECIFIED
    try:
        return RevocationReason(flag.name)  # cryptography's ReasonFlags names match ours
    except ValueError:
        return RevocationReason.UNSPECIFIED


def make_crl(
    *,
    issuer: KeyStore,
    revocations: Sequence[Revocation],
    this_update: datetime,
    next_update: datetime,
    number: int,
    hash_algorithm: str = "sha256",
) -> bytes:
    """A complete CRL (DER) of ``revocations``, signed through ``issuer``'s key store.

    Signing goes through :meth:`KeyStore.sign`, so the CA key may as well live on a token.
    """
    entries = [
        {
            "user_certificate": r.serial_number,
            "revocation_date": asn1_time(r.revoked_at),
            # RFC 5280 §5.3.1: the reason code "unspecified" SHOULD be absent.
            "crl_entry_extensions": (
                [{"extn_id": "crl_reason", "critical": False, "extn_value": r.reason.value}]
                if r.reason is not RevocationReason.UNSPECIFIED
                else None
            ),
        }
        for r in sorted(revocations, key=lambda r: r.serial_number)
    ]
    for entry in entries:
        if entry["crl_entry_extensions"] is None:
            del entry["crl_entry_extensions"]
    asn1_issuer = to_asn1(issuer.certificate)
    tbs: dict[str, object] = {
        "version": "v2",
        "signature": issuer.signature_algorithm(hash_algorithm),
        "issuer": asn1_issuer.subject,
        "this_update": asn1_time(this_update),
        "next_update": asn1_time(next_update),
        "crl_extensions": [
            {
                "extn_id": "authority_key_identifier",
                "critical": False,
                "extn_value": {"key_identifier": asn1_issuer.key_identifier},
            },
            {"extn_id": "crl_number", "critical": False, "extn_value": number},
        ],
    }
    if entries:  # RFC 5280: absent, not empty, when nothing is revoked
        tbs["revoked_certificates"] = entries
    tbs_list = asn1_crl.TbsCertList(tbs)
    crl: bytes = asn1_crl.CertificateList(
        {
            "tbs_cert_list": tbs_list,
            "signature_algorithm": issuer.signature_algorithm(hash_algorithm),
            "signature": issuer.sign(tbs_list.dump(), hash_algorithm=hash_algorithm),
        }
    ).dump()
    return crl


def asn1_time(moment: datetime) -> asn1_x509.Time:
    moment = moment.astimezone(UTC).replace(microsecond=0)
    # RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050.
    kind = "utc_time" if moment.year < 2050 else "general_time"
    return asn1_x509.Time({kind: moment})
