"""The ward's key store seen as the signing key signxml expects, so the key stays in its store.

signxml calls ``key.sign(data, padding=…, algorithm=…)`` for RSA and
``key.sign(data, signature_algorithm=ECDSA(…))`` for ECDSA, and reads ``key_size``: this adapter
answers those by asking the store (:meth:`certs.keystores.KeyStore.sign`, PKCS#1 v1.5 or ECDSA
over SHA-256, as the XML signature method says), whether the key is a PKCS#12 file or a token.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from certs.keystores import KeyStore

from ..errors import EsignError


class StoreXmlKey:
    def __init__(self, store: KeyStore) -> None:
        self._store = store
        self._public = store.certificate.public_key()
        if not isinstance(self._public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise EsignError("Khóa phải là RSA hoặc ECDSA", "the key must be RSA or ECDSA")

    @property
    def key_size(self) -> int:
        assert isinstance(self._public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
        return self._public.key_size

    def public_key(self) -> Any:
        return self._public

    def sign(self, data: bytes, *args: Any, **kwargs: Any) -> bytes:
        algorithm = kwargs.get("algorithm")
        ecdsa = kwargs.get("signature_algorithm")
        if isinstance(ecdsa, ec.ECDSA):
            algorithm = ecdsa.algorithm
        if not isinstance(algorithm, hashes.SHA256):
            raise EsignError("Chỉ ký XML bằng SHA-256", "XML is signed with SHA-256 only")
        return self._store.sign(data, hash_algorithm="sha256")
