"""Trust roots, and building a certificate's path up to one of them.

Trust comes only from the configured roots: a root that arrived inside an imported file, or in
a signed PDF, proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from .algorithms import to_asn1
from .errors import CertificateParseError, UntrustedChainError

_MAX_PATH = 6


@dataclass(frozen=True)
class TrustStore:
    """The configured trust roots (the development root by default; government CA roots in
    production)."""

    roots: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem_files(cls, paths: Iterable[Path]) -> TrustStore:
        roots: list[x509.Certificate] = []
        for path in paths:
            roots.extend(load_certificates(Path(path).read_bytes(), source=str(path)))
        return cls(tuple(roots))

    @property
    def asn1_roots(self) -> tuple[asn1_x509.Certificate, ...]:
        """For ``pyhanko_certvalidator.ValidationContext(trust_roots=...)``."""
        return tuple(to_asn1(root) for root in self.roots)

    def is_trusted(self, certificate: x509.Certificate) -> bool:
        # Same name and same key, not byte equality: a root re-encoded by some tool is the
        # same root.
        return any(
            root.subject == certificate.subject and root.public_key() == certificate.public_key()
            for root in self.roots
        )

    def build_path(
        self, certificate: x509.Certificate, *, intermediates: Sequence[x509.Certificate] = ()
    ) -> tuple[x509.Certificate, ...]:
        """``(certificate, ..., root)`` with every signature checked, or UntrustedChainError.

        Only signatures, names and CA flags are checked here; dates, key usages and revocation
        are :func:`certs.check_signing_certificate`'s business.
        """
        path = [certificate]
        current = certificate
        for _ in range(_MAX_PATH):
            if self.is_trusted(current):
                return tuple(path)
            issuer = self._issuer_of(current, intermediates)
            if issuer is None:
                break
            path.append(issuer)
            current = issuer
        subject = certificate.subject.rfc4514_string()
        raise UntrustedChainError(
            f"Chứng thư số '{subject}' không dẫn tới CA gốc được tin cậy nào",
            f"certificate '{subject}' does not chain to a configured trust root",
        )

    def _issuer_of(
        self, certificate: x509.Certificate, intermediates: Sequence[x509.Certificate]
    ) -> x509.Certificate | None:
        for candidate in (*self.roots, *intermediates):
            if candidate.subject != certificate.issuer or candidate == certificate:
                continue
            if not _is_ca(candidate):
                continue
            try:
                certificate.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return candidate
        return None


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def load_certificates(data: bytes, *, source: str = "") -> tuple[x509.Certificate, ...]:
    """All certificates of a PEM bundle, or the one certificate of a DER file."""
    try:
        if b"-----BEGIN" in data:
            certificates = tuple(x509.load_pem_x509_certificates(data))
        else:
            certificates = (x509.load_der_x509_certificate(data),)
    except ValueError as exc:
        raise CertificateParseError(
            f"Tệp {source} không chứa chứng thư số đọc được (PEM hoặc DER)",
            f"{source} holds no readable certificate (PEM or DER)",
        ) from exc
    return certificates
