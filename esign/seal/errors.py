"""Errors of the QR seal.

Checking a seal never raises for a bad seal (it answers "not genuine" with a reason); these are
for the issuing side and for files the administrator controls::

    EsignError
    └── SealError                 the seal machinery could not do what was asked
        ├── InvalidSealClaims  422  facts that cannot go into a seal (unmasked name, bad number…)
        ├── QrUrlError         422  a text that is not a verification URL of ours
        ├── QrImageError       422  no QR code could be read from an image or PDF
        ├── MalformedSeal      422  a seal that cannot be read (internal: verify_seal answers
        │                           "not genuine" with its reason instead of raising it)
        ├── KeySetError        422  a published key set (JWK Set) that cannot be read
        ├── UnknownKeyError    404  no key with this key id in the keyring
        └── KeyringError       500  the keyring folder is missing, damaged or unreadable
"""

from __future__ import annotations

from ..errors import EsignError


class SealError(EsignError):
    code, status = "seal_error", 500


class InvalidSealClaims(SealError):
    code, status = "invalid_seal_claims", 422


class QrUrlError(SealError):
    code, status = "invalid_qr_url", 422


class QrImageError(SealError):
    code, status = "qr_not_found", 422


class MalformedSeal(SealError):
    code, status = "malformed_seal", 422


class KeySetError(SealError):
    code, status = "invalid_key_set", 422


class UnknownKeyError(SealError):
    code, status = "seal_key_unknown", 404


class KeyringError(SealError):
    code, status = "seal_keyring_error", 500
