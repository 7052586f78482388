"""Helpers shared by the certs tests: signature checks and the requests clients send."""

from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import algos, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps import TimeStamper

from certs import KeyStore, Pkcs11KeyStore, PkiFolder
from tests.utils.softhsm import SOFTHSM_MODULE, SoftHsmToken

DATA = "Biên lai số 0000123, 50.000 đồng".encode()
IMPRINT = hashlib.sha256("Biên lai 0000123".encode()).digest()
NONCE = b"\x01" * 16
TOKEN_PIN = "123456"


def verify(store: KeyStore, signature: bytes, data: bytes, hash_name: str = "sha256") -> None:
    """Raises InvalidSignature if ``signature`` is not ``store``'s over ``data``."""
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[hash_name]
    key = store.certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature, data, ec.ECDSA(algorithm))


def open_store(token: SoftHsmToken, **overrides: object) -> Pkcs11KeyStore:
    """The judicial officer's key on the test token, unless ``overrides`` say otherwise."""
    options: dict[str, object] = {
        "module": SOFTHSM_MODULE,
        "token_label": token.label,
        "key_label": "nguyen-thi-huong",
        "pin": TOKEN_PIN,
    }
    options.update(overrides)
    return Pkcs11KeyStore(**options)  # type: ignore[arg-type]


def ocsp_request(
    folder: PkiFolder, name: str, *, algorithm: hashes.HashAlgorithm | None = None
) -> bytes:
    """An OCSP request with a nonce, as cryptography (like most clients) builds it."""
    cert = folder.certificate(name)
    issuer = folder.chain(name)[0]
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm or hashes.SHA1())
    builder = builder.add_extension(x509.OCSPNonce(NONCE), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def timestamp_request(
    *, nonce: int | None = 7, cert_req: bool = True, algorithm: str = "sha256", **extra: object
) -> bytes:
    digest = IMPRINT if algorithm == "sha256" else hashlib.new(algorithm, b"x").digest()
    fields: dict[str, object] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
            "hashed_message": digest,
        },
        "cert_req": cert_req,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    fields.update(extra)
    encoded: bytes = tsp.TimeStampReq(fields).dump()
    return encoded


class FolderTimeStamper(TimeStamper):
    """pyHanko's own client logic (request, nonce check), our TSA function as the server."""

    def __init__(self, folder: PkiFolder, now: datetime) -> None:
        super().__init__()
        self.folder, self.now = folder, now

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.folder.answer_timestamp(req.dump(), now=self.now))
