"""Hash and signature algorithm names, and conversions between cryptography and asn1crypto.

pyHanko speaks asn1crypto, the key stores speak cryptography: these helpers translate once.
"""

from __future__ import annotations

from enum import StrEnum

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import SigningError


class KeyAlgorithm(StrEnum):
    RSA = "rsa"
    ECDSA = "ecdsa"


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """``"sha256"`` → ``hashes.SHA256()``; SHA-1 and MD5 are refused on purpose."""
    try:
        return _HASHES[name.lower().replace("-", "")]()
    except KeyError:
        raise SigningError(
            f"Thuật toán băm không hỗ trợ: {name}",
            f"unsupported hash algorithm: {name} (use sha256, sha384 or sha512)",
        ) from None


def digest(data: bytes, hash_name: str) -> bytes:
    h = hashes.Hash(hash_algorithm(hash_name))
    h.update(data)
    return h.finalize()


def key_algorithm_of(certificate: x509.Certificate) -> KeyAlgorithm:
    public_key = certificate.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        return KeyAlgorithm.RSA
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return KeyAlgorithm.ECDSA
    raise SigningError(
        f"Loại khóa không hỗ trợ: {type(public_key).__name__}",
        f"unsupported key type: {type(public_key).__name__} (RSA or ECDSA only)",
    )


def signature_algorithm(key: KeyAlgorithm, hash_name: str) -> algos.SignedDigestAlgorithm:
    """The AlgorithmIdentifier for a signature made by :meth:`KeyStore.sign`."""
    hash_algorithm(hash_name)  # refuses unknown hashes with a clear error
    suffix = "rsa" if key is KeyAlgorithm.RSA else "ecdsa"
    return algos.SignedDigestAlgorithm({"algorithm": f"{hash_name.lower()}_{suffix}"})


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
