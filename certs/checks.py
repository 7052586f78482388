"""The check made before anyone signs: may this certificate sign a document now?

:func:`check_signing_certificate` returns a frozen result with every problem it found (a clerk
fixes them all at once, not one per attempt); exceptions are kept for input that cannot be
read. ``result.raise_if_refused()`` turns a refusal into a :class:`CertificateRefusedError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from cryptography import x509

from .errors import CertificateRefusedError, UntrustedChainError
from .revocation import CertStatus, RevocationChecker, RevocationStatus
from .trust import TrustStore

# Dates in the Vietnamese messages are the clerk's dates, in Vietnam's time zone.
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Problem(StrEnum):
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NO_DIGITAL_SIGNATURE = "no_digital_signature"
    NO_NON_REPUDIATION = "no_non_repudiation"
    CA_CERTIFICATE = "ca_certificate"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"
    REVOCATION_UNKNOWN = "revocation_unknown"
    ISSUER_INVALID = "issuer_invalid"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class SigningCertificateCheck:
    subject: str
    """The certificate's common name (or full subject when it has none)."""
    checked_at: datetime
    problems: tuple[Finding, ...]
    path: tuple[x509.Certificate, ...]
    """Signer first, trust root last; empty when no path to a trusted root exists."""
    revocation: RevocationStatus | None
    """None when the caller asked for no revocation check."""

    @property
    def accepted(self) -> bool:
        return not self.problems

    def has(self, problem: Problem) -> bool:
        return any(f.problem is problem for f in self.problems)

    def raise_if_refused(self) -> None:
        if self.problems:
            raise CertificateRefusedError(self)


def check_signing_certificate(
    certificate: x509.Certificate,
    *,
    trust: TrustStore,
    at: datetime,
    revocation: RevocationChecker | None,
    intermediates: Sequence[x509.Certificate] = (),
) -> SigningCertificateCheck:
    """Accept or refuse ``certificate`` for signing a document at ``at``.

    Refused when it is expired or not yet valid, lacks digitalSignature or nonRepudiation,
    is a CA certificate, does not chain (through ``intermediates``) to a root of ``trust``,
    or, unless ``revocation`` is None, is revoked or its status cannot be established.
    Intermediate CAs on the path must be in their validity period and not known to be
    revoked (an unknown status of an intermediate is tolerated: only the signer's must be known).
    """
    at = at.astimezone(UTC)
    findings: list[Finding] = []
    findings += _dates(certificate, at)
    findings += _usages(certificate)
    try:
        path = trust.build_path(certificate, intermediates=intermediates)
    except UntrustedChainError:
        path = ()
        findings.append(
            Finding(
                Problem.UNTRUSTED,
                "chứng thư số không do CA được tin cậy cấp (không dẫn tới CA gốc đã cấu hình)",
                "the certificate does not chain to a configured trust root",
            )
        )
    status: RevocationStatus | None = None
    if path:
        findings += _issuers(path, at, revocation)
        if revocation is not None and len(path) > 1:
            status = revocation.status(certificate, issuer=path[1], at=at)
            findings += _revocation(status)
    return SigningCertificateCheck(
        subject=display_name(certificate),
        checked_at=at,
        problems=tuple(findings),
        path=path,
        revocation=status,
    )


def display_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _dates(certificate: x509.Certificate, at: datetime) -> list[Finding]:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if at > end:
        return [
            Finding(
                Problem.EXPIRED,
                f"chứng thư số đã hết hạn ngày {_vn(end)}: đề nghị gia hạn/cấp mới",
                f"the certificate expired on {end:%Y-%m-%d}: renew it",
            )
        ]
    if at < start:
        return [
            Finding(
                Problem.NOT_YET_VALID,
                f"chứng thư số chưa có hiệu lực (từ ngày {_vn(start)})",
                f"the certificate is not valid before {start:%Y-%m-%d}",
            )
        ]
    return []


def _usages(certificate: x509.Certificate) -> list[Finding]:
    findings: list[Finding] = []
    try:
        usage: x509.KeyUsage | None = certificate.extensions.get_extension_for_class(
            x509.KeyUsage
        ).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        findings.append(
            Finding(
                Problem.NO_DIGITAL_SIGNATURE,
                "chứng thư số không cho phép ký số (thiếu digitalSignature)",
                "the certificate does not allow digital signatures (no digitalSignature)",
            )
        )
    if usage is None or not usage.content_commitment:
        findings.append(
            Finding(
                Problem.NO_NON_REPUDIATION,
                "chứng thư số không dùng để ký văn bản có giá trị cam kết (thiếu nonRepudiation)",
                "the certificate is not for committing signatures (no nonRepudiation)",
            )
        )
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca:
        findings.append(
            Finding(
                Problem.CA_CERTIFICATE,
                "đây là chứng thư của CA, không phải của người ký",
                "this is a CA certificate, not a signer's",
            )
        )
    return findings


def _issuers(
    path: tuple[x509.Certificate, ...], at: datetime, revocation: RevocationChecker | None
) -> list[Finding]:
    findings: list[Finding] = []
    for index, ca in enumerate(path[1:], start=1):
        name = display_name(ca)
        if not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
            findings.append(
                Finding(
                    Problem.ISSUER_INVALID,
                    f"CA cấp chứng thư '{name}' không còn hiệu lực",
                    f"issuing CA '{name}' is outside its validity period",
                )
            )
        is_root = index == len(path) - 1
        if revocation is not None and not is_root:
            status = revocation.status(ca, issuer=path[index + 1], at=at)
            if status.status is CertStatus.REVOKED:
                findings.append(
                    Finding(
                        Problem.ISSUER_INVALID,
                        f"CA cấp chứng thư '{name}' đã bị thu hồi",
                        f"issuing CA '{name}' has been revoked",
                    )
                )
    return findings


def _revocation(status: RevocationStatus) -> list[Finding]:
    if status.status is CertStatus.REVOKED:
        when = status.revoked_at
        reason = status.reason
        return [
            Finding(
                Problem.REVOKED,
                f"chứng thư số đã bị thu hồi"
                f"{f' ngày {_vn(when)}' if when else ''}"
                f"{f' (lý do: {reason.label_vi})' if reason else ''}",
                f"the certificate was revoked"
                f"{f' on {when:%Y-%m-%d}' if when else ''}"
                f"{f' ({reason.value})' if reason else ''}",
            )
        ]
    if status.status is CertStatus.UNKNOWN:
        return [
            Finding(
                Problem.REVOCATION_UNKNOWN,
                "không xác định được chứng thư số có bị thu hồi hay không",
                "the certificate's revocation status cannot be established",
            )
        ]
    return []


def _vn(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y")
