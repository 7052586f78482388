"""The signed QR seal: a compact statement of a document's core facts that a phone checks offline.

A receipt's or result document's QR opens ``https://<public host>/v/<token>#<seal>``. The token
finds the document on the server; the seal, after ``#``, carries the facts themselves (unit tax
code, kind, template symbol, series, number, date, total, the payer's masked name, the SHA-256
of the unsigned PDF) signed by the ward's seal key, so the page can show them and check them
with WebCrypto even when the server cannot be reached.

Format (details in each module)::

    seal   = decimal digits of the bytes below              (encoding: why decimal)
    bytes  = COSE_Sign1, RFC 9052, tag 18, ES256, kid in the protected header   (cose)
             external AAD = the URL token, so a seal is bound to its link
    payload = CBOR map with small integer keys                (claims)
    keys   = JWK Set with a "status" per key, served publicly (jwks, keyring)

Issuing::

    ring = Keyring.load_or_create(settings.data_dir / "seal")
    claims = SealClaims(unit_tax_code="0800123456", kind=DocumentKind.RECEIPT,
                        template_symbol="01BLP0-001", series="VA-26E", number=1234,
                        issued_on=date(2026, 11, 27), total=150_000,
                        payer_masked=mask_name("Bùi Thị Trang"), pdf_sha256=digest)
    seal = make_seal(claims, keyring=ring, token=token)
    url = qr_url(settings.public_url, token, seal)

Checking (never raises for a bad seal; ``check.ok`` is the verdict)::

    host, token, seal = parse_qr_url(scanned_text)          # QrUrlError if not our URL
    check = verify_seal(seal, published_keys=ring.published(), token=token)
    check.ok, check.claims, check.kid, check.reason_vi, check.reason_en

Keys: ``ring.rotate()`` retires the active key and makes a new one (old seals still verify);
``ring.withdraw(kid)`` voids every seal that key signed; ``ring.published()`` is the JWK Set to
serve, also written to ``<folder>/published.json``.
"""

from __future__ import annotations

from .claims import DocumentKind, SealClaims
from .errors import (
    InvalidSealClaims,
    KeyringError,
    KeySetError,
    MalformedSeal,
    QrImageError,
    QrUrlError,
    SealError,
    UnknownKeyError,
)
from .jwks import KeyId, KeyStatus, PublishedKey, PublishedKeys
from .keyring import PUBLISHED_FILE, Keyring
from .names import mask_name
from .sealing import SealCheck, SealVerdict, make_seal, verify_seal
from .url import QrLink, parse_qr_url, qr_url, verification_url

__all__ = [
    "PUBLISHED_FILE",
    "DocumentKind",
    "InvalidSealClaims",
    "KeyId",
    "KeySetError",
    "KeyStatus",
    "Keyring",
    "KeyringError",
    "MalformedSeal",
    "PublishedKey",
    "PublishedKeys",
    "QrImageError",
    "QrLink",
    "QrUrlError",
    "SealCheck",
    "SealClaims",
    "SealError",
    "SealVerdict",
    "UnknownKeyError",
    "make_seal",
    "mask_name",
    "parse_qr_url",
    "qr_url",
    "verification_url",
    "verify_seal",
]
