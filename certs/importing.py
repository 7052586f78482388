"""Reading a certificate issued elsewhere: a PKCS#12 file, or a certificate plus its chain.

What the file says about trust is ignored: a root inside it is only a candidate link, and
the path must end at a configured root (:class:`TrustStore`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cryptography import x509

from .errors import CertificateParseError, WrongPasswordError
from .keystores import load_pkcs12, looks_like_pkcs12
from .trust import load_certificates


@dataclass(frozen=True)
class CertificateBundle:
    """The signer's certificate found in a file, with the other certificates that came along."""

    certificate: x509.Certificate
    others: tuple[x509.Certificate, ...]
    has_key: bool
    """True for a PKCS#12 holding the matching private key (checked)."""


def read_certificate_bundle(
    data: bytes, *, password: str | None = None, source: str = "tệp"
) -> CertificateBundle:
    """Parse a PKCS#12 file, a PEM bundle, or one DER certificate."""
    if looks_like_pkcs12(data):
        if password is None:
            raise WrongPasswordError(
                f"Tệp {source} là PKCS#12: cần nhập mật khẩu (--password)",
                f"{source} is a PKCS#12 file: a password is needed (--password)",
            )
        _, certificate, chain = load_pkcs12(data, password=password, source=source)
        return CertificateBundle(certificate=certificate, others=chain, has_key=True)
    certificates = load_certificates(data, source=source)
    leaves = [c for c in certificates if not _is_ca(c)]
    if len(leaves) != 1:
        raise CertificateParseError(
            f"Tệp {source} phải chứa đúng một chứng thư của người ký (có {len(leaves)})",
            f"{source} must hold exactly one end-entity certificate (found {len(leaves)})",
        )
    others = tuple(c for c in certificates if c is not leaves[0])
    return CertificateBundle(certificate=leaves[0], others=others, has_key=False)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def slug(text: str) -> str:
    """``"Nguyễn Thị Hương"`` → ``"nguyen-thi-huong"``: a name usable in paths and the CLI."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "cert"
