"""Which certificate an official may be bound to (``users.register_certificate``).

An administrator's binding says "documents signed with this certificate are this official's
acts", so it is checked, not taken on trust:

- the certificate must be accepted for signing today (:func:`certs.check_signing_certificate`):
  it chains to a configured trust root, carries digitalSignature and nonRepudiation (the dev
  PKI's ``signer`` profile, ``certs/data/pki.toml``), is not a CA and is within its dates;
- it is not one of the ward's own service certificates (the seal, the TSA, the OCSP
  responder: the seal also has the ``signer`` profile, so usage alone does not tell);
- it is not bound to another user already;
- its subject's common name is the official's full name (compared after NFC, case folding and
  collapsing spaces). When it is not (a name changed at marriage, a typo in one of them) the
  binding waits for a second administrator to confirm it: one administrator alone cannot make
  someone else's certificate sign as an official.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from certs import PkiFolder, Role
from certs.checks import check_signing_certificate, display_name
from certs.trust import TrustStore

from ..errors import ConflictError, ValidationError


@dataclass(frozen=True, slots=True)
class BindingPolicy:
    trust: TrustStore
    intermediates: tuple[x509.Certificate, ...]
    reserved: tuple[x509.Certificate, ...]
    """The ward's service certificates (seal, TSA, OCSP): never an official's."""


def binding_policy(pki: PkiFolder) -> BindingPolicy:
    """The policy of the service's PKI folder."""
    cas = [
        pki.certificate(n) for n in (*pki.names_for(Role.ISSUING_CA), *pki.names_for(Role.ROOT_CA))
    ]
    reserved = [
        pki.certificate(n) for role in (Role.SEAL, Role.TSA, Role.OCSP) for n in pki.names_for(role)
    ]
    return BindingPolicy(
        trust=pki.trust_store(), intermediates=tuple(cas), reserved=tuple(reserved)
    )


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(norm(a)) and norm(a) == norm(b)


def check_binding(
    certificate: x509.Certificate,
    *,
    policy: BindingPolicy,
    bound_elsewhere: Sequence[str],
    at: dt.datetime,
) -> None:
    """Refuse a certificate no official may be bound to (see the module's docstring);
    ``bound_elsewhere``: fingerprints of certificates bound to other users."""
    der = certificate.public_bytes(Encoding.DER)
    key = certificate.public_key()
    if any(r.public_bytes(Encoding.DER) == der or r.public_key() == key for r in policy.reserved):
        raise ValidationError(
            "Đây là chứng thư số của phường (con dấu, máy chủ thời gian, OCSP), không phải của "
            "một người ký",
            "This is one of the ward's service certificates (seal, TSA, OCSP), not an official's",
            code="service_certificate",
        )
    result = check_signing_certificate(
        certificate,
        trust=policy.trust,
        at=at,
        revocation=None,
        intermediates=policy.intermediates,
    )
    if not result.accepted:
        raise ValidationError(
            "Chứng thư số không dùng để ký được: "
            + "; ".join(f.message_vi for f in result.problems),
            "The certificate cannot sign: " + "; ".join(f.message_en for f in result.problems),
            code="certificate_refused",
        )
    if fingerprint(certificate) in bound_elsewhere:
        raise ConflictError(
            "Chứng thư số này đã gắn với người dùng khác",
            "This certificate is already bound to another user",
            code="certificate_taken",
        )


def names_the_official(certificate: x509.Certificate, full_name: str) -> bool:
    return _same_name(display_name(certificate), full_name)
