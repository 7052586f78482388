"""COSE_Sign1 (RFC 9052 §4.2) with ES256, just the subset a seal uses, read strictly.

A seal is ``18([protected, {}, payload, signature])`` where ``protected`` is the encoded map
``{1: -7, 4: kid}``: the algorithm and the key id both sit in the *protected* header so the
signature covers them (same size as an unprotected kid, and nobody can relabel a seal). The
signature is over ``["Signature1", protected, external_aad, payload]`` (§4.4); the external
AAD is the document's token from the URL, so a seal verifies only next to its own token and
cannot be pasted onto another document's link, at no cost in QR size. The signature is ``r‖s``,
32 bytes each (§2.1 of RFC 9053): exactly what WebCrypto's ECDSA ``verify`` takes.

Reading is strict: only deterministic CBOR (RFC 8949 §4.2) of exactly this shape passes, so one
seal has one encoding and nothing unexpected rides along; anything else is
:class:`MalformedSeal` with a reason.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .errors import MalformedSeal

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALG_ES256 = -7
SIGNATURE_SIZE = 64
MAX_KID = 16


@dataclass(frozen=True)
class Sign1:
    protected: bytes
    """The protected header exactly as encoded: the signature covers these bytes."""
    kid: bytes
    payload: bytes
    signature: bytes


def _malformed(vi: str, en: str) -> MalformedSeal:
    return MalformedSeal(f"Con dấu QR hỏng: {vi}", f"malformed seal: {en}")


def encode(value: Any) -> bytes:
    return cbor2.dumps(value, canonical=True)


def decode_strict(data: bytes, *, what_vi: str, what_en: str) -> Any:
    """One CBOR item in deterministic encoding, nothing before or after it."""
    try:
        decoder = cbor2.CBORDecoder(
            io.BytesIO(data),
            allow_indefinite=False,
            allow_duplicate_keys=False,
            max_depth=4,
            str_errors="strict",
        )
        value = decoder.decode()
        again = encode(value)
    except Exception as exc:  # cbor2's semantic decoders raise many types on hostile input
        raise _malformed(f"{what_vi} không đọc được", f"{what_en} is not CBOR") from exc
    if again != data:
        raise _malformed(
            f"{what_vi} không ở dạng CBOR chuẩn", f"{what_en} is not deterministic CBOR"
        )
    return value


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes) -> bytes:
    return encode(["Signature1", protected, external_aad, payload])


def sign1(
    payload: bytes, *, kid: bytes, private_key: ec.EllipticCurvePrivateKey, external_aad: bytes
) -> bytes:
    protected = encode({HEADER_ALG: ALG_ES256, HEADER_KID: kid})
    der = private_key.sign(
        sig_structure(protected, payload, external_aad), ec.ECDSA(hashes.SHA256())
    )
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return encode(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def parse_sign1(data: bytes) -> Sign1:
    """The parts of a seal's COSE_Sign1; :class:`MalformedSeal` when it is not one of ours."""
    value = decode_strict(data, what_vi="cấu trúc COSE", what_en="the COSE structure")
    if not isinstance(value, cbor2.CBORTag) or value.tag != COSE_SIGN1_TAG:
        raise _malformed("không phải COSE_Sign1", "not a tagged COSE_Sign1")
    parts = value.value
    # cbor2 gives the content of a tag as immutable types: a tuple and a frozendict.
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise _malformed("COSE_Sign1 phải có 4 phần", "COSE_Sign1 needs 4 elements")
    protected, unprotected, payload, signature = parts
    if not isinstance(protected, bytes) or not isinstance(payload, bytes):
        raise _malformed("phần đầu hoặc nội dung sai kiểu", "header or payload is not a bstr")
    if not isinstance(unprotected, Mapping) or unprotected:
        raise _malformed("phần đầu không bảo vệ phải trống", "unprotected header must be empty")
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
        raise _malformed("chữ ký phải dài 64 byte", "the signature must be 64 bytes (r||s)")
    header = decode_strict(protected, what_vi="phần đầu", what_en="the protected header")
    if not isinstance(header, dict) or set(header) != {HEADER_ALG, HEADER_KID}:
        raise _malformed("phần đầu phải có alg và kid", "protected header must be {alg, kid}")
    if header[HEADER_ALG] != ALG_ES256:
        # Refusing every other algorithm is what keeps "alg" from being chosen by an attacker.
        raise _malformed("thuật toán không phải ES256", "algorithm is not ES256")
    kid = header[HEADER_KID]
    if not isinstance(kid, bytes) or not 1 <= len(kid) <= MAX_KID:
        raise _malformed("mã khóa (kid) sai", "bad key id")
    return Sign1(protected=protected, kid=kid, payload=payload, signature=signature)


def signature_ok(
    message: Sign1, public_key: ec.EllipticCurvePublicKey, *, external_aad: bytes
) -> bool:
    r = int.from_bytes(message.signature[:32], "big")
    s = int.from_bytes(message.signature[32:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s),
            sig_structure(message.protected, message.payload, external_aad),
            ec.ECDSA(hashes.SHA256()),
        )
    except (InvalidSignature, ValueError):  # ValueError: r or s out of range for the curve
        return False
    return True
