"""Wiring the ``certs`` PKI folder to signing and verification: signers with their
certificate checks and timestamp authorities, and the revocation data verification uses.

The development PKI's TSA, CRLs and OCSP responder answer in-process, so B-T to B-LTA work
with no network; production lists its TSAs in ``ESIGN_TIMESTAMP_URLS``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import ValidationContext

from certs import CertsError, KeyStore, PkiFolder, RevocationChecker, Role

from .levels import PadesLevel
from .verify import TrustConfig

if TYPE_CHECKING:  # the signers (pyHanko's signing stack, aiohttp) load when a signer is made:
    # ``esign verify`` needs only trust_config from here
    from .sign import DocumentSigner
    from .timestamps import TimestampSource

DEV_TSA_NAME = "TSA thử nghiệm phường (nội bộ)"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def subject_attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def display_name(cert: x509.Certificate) -> str:
    return subject_attribute(cert, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()


def dev_timestamp_source(pki: PkiFolder) -> TimestampSource:
    from .timestamps import TimestampSource

    return TimestampSource(
        name=DEV_TSA_NAME, answer=lambda req: pki.answer_timestamp(req, now=_now())
    )


def ca_names(pki: PkiFolder) -> tuple[str, ...]:
    return tuple(pki.names_for(Role.ISSUING_CA)) + tuple(pki.names_for(Role.ROOT_CA))


def crls(pki: PkiFolder) -> tuple[bytes, ...]:
    out = []
    for name in ca_names(pki):
        try:
            out.append(pki.crl(name))
        except CertsError:
            continue
    return tuple(out)


def ocsp_response_for(pki: PkiFolder, cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return pki.answer_ocsp(request.public_bytes(Encoding.DER), now=_now())


def validation_context_factory(pki: PkiFolder, store: KeyStore) -> ValidationContext:
    """Revocation data for B-LT: the CRLs of our CAs and a fresh OCSP answer for the signer."""
    ocsps: list[bytes] = []
    if store.chain:
        # Not one of ours: no OCSP answer, the CRLs may still speak for it.
        with contextlib.suppress(CertsError):
            ocsps.append(ocsp_response_for(pki, store.certificate, store.chain[0]))
    return ValidationContext(
        trust_roots=list(pki.trust_store().asn1_roots),
        other_certs=list(store.asn1_chain),
        crls=list(crls(pki)),
        ocsps=ocsps,
        allow_fetching=False,
        revocation_mode="require",
    )


def trust_config(pki: PkiFolder) -> TrustConfig:
    roots = tuple(r.public_bytes(Encoding.DER) for r in pki.trust_store().roots)
    cas = tuple(pki.certificate(n).public_bytes(Encoding.DER) for n in ca_names(pki))
    return TrustConfig(roots=roots, crls=crls(pki), extra_certs=cas)


def make_signer(
    pki: PkiFolder,
    store: KeyStore,
    *,
    level: PadesLevel,
    timestamp_sources: Sequence[TimestampSource] | None = None,
    revocation: RevocationChecker | None = None,
    title: str | None = None,
    location: str | None = None,
) -> DocumentSigner:
    """A signer for ``store`` (the seal, or an official's PKCS#12 or token key)."""
    from .sign import DocumentSigner

    sources = (
        tuple(timestamp_sources) if timestamp_sources is not None else (dev_timestamp_source(pki),)
    )
    return DocumentSigner(
        store,
        display_name=display_name(store.certificate),
        title=title or subject_attribute(store.certificate, NameOID.TITLE),
        trust=pki.trust_store(),
        revocation=revocation if revocation is not None else pki.register(),
        timestamp_sources=sources if level is not PadesLevel.B_B else (),
        level=level,
        validation_context=lambda: validation_context_factory(pki, store),
        # The signature's /Location: today's unit's (esign/data/units.toml) from the service.
        location=location or "Phường Chu Văn An, thành phố Hải Phòng",
    )
