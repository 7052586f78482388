"""``certs``: the ward's keys and certificates. Imports nothing of ours.

The PKI is declared in ``certs/data/pki.toml`` (architecture ``ward`` for development,
``ward-test`` = ward + edge cases for the tests), loaded by :func:`load_spec`, built in memory
by :func:`build_pki` and into ``<ESIGN_DATA_DIR>/pki`` by :func:`init_pki_folder`
(``esign certs init``). What esign uses::

    from certs import Role, RevocationReason, open_pki_folder

    pki = open_pki_folder(settings.data_dir / "pki")    # PkiFolder (password from its file)
    seal = pki.key_store(pki.only(Role.SEAL))           # Pkcs12KeyStore, parsed key cached
    seal.asn1_certificate, seal.asn1_chain               # what pyHanko wants
    seal.signature_algorithm("sha256")                   # asn1crypto SignedDigestAlgorithm
    seal.sign(data, hash_algorithm="sha256")             # RSA PKCS#1 v1.5 / ECDSA (DER)
    pki.names_for(Role.JUDICIAL_OFFICER)                 # officials by role
    pki.trust_store().asn1_roots                         # ValidationContext(trust_roots=...)
    pki.check(name, at=now).raise_if_refused()           # before anyone signs
    pki.crl(), pki.crl("root-ca")                        # DER, latest published
    pki.publish_crl(now=now)                             # re-sign before next_update (7 days)
    pki.answer_ocsp(request_der, now=now)                # DER OCSPResponse
    pki.answer_timestamp(request_der, now=now)           # DER TimeStampResp
    pki.revoke(name, reason=RevocationReason.KEY_COMPROMISE, at=when)
    pki.import_certificate(data, role=Role.CHAIRMAN, password=..., now=now)

A key on a USB token has the same :class:`KeyStore` interface::

    Pkcs11KeyStore(module=..., token_label=..., key_label=..., pin=..., cert_label=None,
                   chain=pki.chain(name))            # close() or ``with``

Over plain data, without a folder: :func:`check_signing_certificate` (with a
:class:`TrustStore` and a :class:`RevocationChecker`: :class:`RevocationRegister` or
:class:`CrlRevocationChecker`), :func:`make_crl`, :func:`answer_ocsp`, :func:`answer_timestamp`.
Every error is a :class:`CertsError` (tree in :mod:`certs.errors`) with a ``code`` and a
Vietnamese and an English message.
"""

from .algorithms import KeyAlgorithm
from .build import BuiltPki, IssuedCertificate, build_pki
from .checks import Finding, Problem, SigningCertificateCheck, check_signing_certificate
from .errors import CertsError
from .folder import CertificateEntry, PkiFolder, open_pki_folder
from .importing import CertificateBundle, read_certificate_bundle
from .keystores import KeyStore, Pkcs12KeyStore, SoftwareKeyStore
from .layout import init_pki_folder
from .ocsp import answer_ocsp, ocsp_error_response
from .revocation import (
    CertStatus,
    CrlRevocationChecker,
    Revocation,
    RevocationChecker,
    RevocationRegister,
    RevocationStatus,
    make_crl,
)
from .spec import (
    DEFAULT_SPEC_PATH,
    DEV_ARCHITECTURE,
    TEST_ARCHITECTURE,
    ArchitectureSpec,
    KeyType,
    RevocationReason,
    Role,
    load_spec,
)
from .tokens import Pkcs11KeyStore
from .trust import TrustStore
from .tsa import answer_timestamp

__all__ = [
    "DEFAULT_SPEC_PATH",
    "DEV_ARCHITECTURE",
    "TEST_ARCHITECTURE",
    "ArchitectureSpec",
    "BuiltPki",
    "CertStatus",
    "CertificateBundle",
    "CertificateEntry",
    "CertsError",
    "CrlRevocationChecker",
    "Finding",
    "IssuedCertificate",
    "KeyAlgorithm",
    "KeyStore",
    "KeyType",
    "Pkcs11KeyStore",
    "Pkcs12KeyStore",
    "PkiFolder",
    "Problem",
    "Revocation",
    "RevocationChecker",
    "RevocationReason",
    "RevocationRegister",
    "RevocationStatus",
    "Role",
    "SigningCertificateCheck",
    "SoftwareKeyStore",
    "TrustStore",
    "answer_ocsp",
    "answer_timestamp",
    "build_pki",
    "check_signing_certificate",
    "init_pki_folder",
    "load_spec",
    "make_crl",
    "ocsp_error_response",
    "open_pki_folder",
    "read_certificate_bundle",
]
