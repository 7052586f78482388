"""Key stores: where a signer's private key lives, behind one interface.

A store is opened once and keeps its parsed key (or its PKCS#11 session) for its whole life:
under OpenSSL 3 parsing an RSA key runs a ~50 ms consistency check, which must not happen per
signature. A store never hands out its private key, password or PIN, and its ``repr`` says
only which certificate it holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from .algorithms import (
    KeyAlgorithm,
    key_algorithm_of,
    signature_algorithm,
    to_asn1,
)
from .algorithms import hash_algorithm as _hash
from .errors import (
    CorruptKeyFileError,
    KeyMismatchError,
    KeyStoreError,
    SigningError,
    WrongPasswordError,
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class KeyStore(ABC):
    """A signer: one certificate, its chain, and a private key that never leaves the store."""

    def __init__(self, *, certificate: x509.Certificate, chain: Sequence[x509.Certificate]) -> None:
        self._certificate = certificate
        self._chain = tuple(c for c in chain if c != certificate)
        self._asn1_certificate = to_asn1(certificate)
        self._asn1_chain = tuple(to_asn1(c) for c in self._chain)
        self._key_algorithm = key_algorithm_of(certificate)

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        """The same certificate as asn1crypto wants it (pyHanko's ``signing_cert``)."""
        return self._asn1_certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The other certificates known to the store (intermediates, root), not the signer's."""
        return self._chain

    @property
    def asn1_chain(self) -> tuple[asn1_x509.Certificate, ...]:
        return self._asn1_chain

    @property
    def key_algorithm(self) -> KeyAlgorithm:
        return self._key_algorithm

    def signature_algorithm(self, hash_algorithm: str = "sha256") -> algos.SignedDigestAlgorithm:
        """The AlgorithmIdentifier matching :meth:`sign` (``sha256_rsa``, ``sha256_ecdsa``)."""
        return signature_algorithm(self._key_algorithm, hash_algorithm)

    @abstractmethod
    def sign(self, data: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        """Sign ``data``: RSA PKCS#1 v1.5, or an ECDSA signature DER-encoded (X9.62)."""

    @abstractmethod
    def sign_digest(self, digest: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        """Like :meth:`sign`, over a digest the caller already computed."""

    def close(self) -> None:  # noqa: B027 (a software store has nothing to release)
        """Release what the store holds open (a token session); idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._certificate.subject.rfc4514_string()}>"


class SoftwareKeyStore(KeyStore):
    """A key held in memory as a parsed ``cryptography`` object."""

    def __init__(
        self,
        *,
        key: PrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        if key.public_key() != certificate.public_key():
            raise KeyMismatchError(
                "Khóa bí mật không khớp với chứng thư số",
                "the private key does not match the certificate",
            )
        super().__init__(certificate=certificate, chain=chain)
        self.__key = key  # name-mangled: not part of anyone's API

    def sign(self, data: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        return self._sign(data, _hash(hash_algorithm))

    def sign_digest(self, digest: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        algorithm = _hash(hash_algorithm)
        if len(digest) != algorithm.digest_size:
            raise SigningError(
                f"Độ dài mã băm sai cho {hash_algorithm}",
                f"digest length {len(digest)} does not fit {hash_algorithm}",
            )
        return self._sign(digest, Prehashed(algorithm))

    def _sign(self, data: bytes, algorithm: object) -> bytes:
        key = self.__key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), algorithm)  # type: ignore[arg-type]
        return key.sign(data, ec.ECDSA(algorithm))  # type: ignore[arg-type]


class Pkcs12KeyStore(SoftwareKeyStore):
    """A PKCS#12 (.p12 / .pfx) file: key, certificate and chain, encrypted by a password."""

    def __init__(self, path: Path, *, password: str | bytes) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KeyStoreError(
                f"Không đọc được tệp khóa {path}: {exc.strerror}",
                f"cannot read key file {path}: {exc.strerror}",
            ) from exc
        key, certificate, chain = load_pkcs12(data, password=password, source=str(path))
        super().__init__(key=key, certificate=certificate, chain=chain)
        self.path = Path(path)


def load_pkcs12(
    data: bytes, *, password: str | bytes | None, source: str = "PKCS#12"
) -> tuple[PrivateKey, x509.Certificate, tuple[x509.Certificate, ...]]:
    """Open a PKCS#12 blob that must hold a key and its certificate."""
    secret = password.encode() if isinstance(password, str) else password
    try:
        bundle = pkcs12.load_pkcs12(data, secret)
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both; a DER check tells
        # them apart so the clerk knows whether to retype the password or get a new file.
        if looks_like_pkcs12(data):
            raise WrongPasswordError(
                f"Sai mật khẩu của tệp khóa {source}",
                f"wrong password for key file {source}",
            ) from exc
        raise CorruptKeyFileError(
            f"Tệp {source} không phải tệp PKCS#12 hợp lệ (hỏng hoặc sai định dạng)",
            f"{source} is not a valid PKCS#12 file (corrupt or wrong format)",
        ) from exc
    if bundle.key is None or bundle.cert is None:
        raise CorruptKeyFileError(
            f"Tệp {source} không chứa cả khóa bí mật và chứng thư số",
            f"{source} does not hold both a private key and a certificate",
        )
    if not isinstance(bundle.key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CorruptKeyFileError(
            f"Tệp {source}: loại khóa không hỗ trợ (chỉ RSA, ECDSA)",
            f"{source}: unsupported key type (RSA or ECDSA only)",
        )
    if bundle.key.public_key() != bundle.cert.certificate.public_key():
        raise KeyMismatchError(
            f"Tệp {source}: khóa bí mật không khớp với chứng thư số",
            f"{source}: the private key does not match the certificate",
        )
    chain = tuple(c.certificate for c in bundle.additional_certs)
    return bundle.key, bundle.cert.certificate, chain


def looks_like_pkcs12(data: bytes) -> bool:
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return bool(
            pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native == "data"
        )
    except (ValueError, TypeError, KeyError):
        return False


def reencrypt_pkcs12(data: bytes, *, password: str | bytes | None, new_password: str) -> bytes:
    """The same key, certificate and chain, under ``new_password`` (AES-256, PBKDF2).

    Lets an imported PKCS#12 be kept under the data folder's password without the private
    key ever leaving this module.
    """
    key, certificate, chain = load_pkcs12(data, password=password)
    return pkcs12.serialize_key_and_certificates(
        None, key, certificate, list(chain) or None, BestAvailableEncryption(new_password.encode())
    )
