"""Making and checking seals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from . import cose, encoding
from .claims import SealClaims
from .errors import InvalidSealClaims, MalformedSeal
from .jwks import KeyId, KeyStatus, PublishedKeys, kid_bytes, kid_from_bytes
from .keyring import Keyring
from .url import TOKEN


class SealVerdict(StrEnum):
    GENUINE = "genuine"
    MALFORMED = "malformed"
    BAD_TOKEN = "bad_token"
    UNKNOWN_KEY = "unknown_key"
    WITHDRAWN_KEY = "withdrawn_key"
    BAD_SIGNATURE = "bad_signature"
    BAD_CLAIMS = "bad_claims"


@dataclass(frozen=True, kw_only=True)
class SealCheck:
    """The answer about one seal: ``ok`` only when it is genuine, and then ``claims`` is set."""

    ok: bool
    verdict: SealVerdict
    reason_vi: str
    reason_en: str
    kid: KeyId | None = None
    key_status: KeyStatus | None = None
    claims: SealClaims | None = None


def make_seal(claims: SealClaims, *, keyring: Keyring, token: str) -> str:
    """The seal text (what follows ``#``) for ``claims``, signed with the active key.

    ``token`` is the document's URL token: the signature covers it (as COSE external data, not
    carried in the seal), so the seal verifies only next to that token.
    """
    if not TOKEN.fullmatch(token):
        raise InvalidSealClaims("Mã tra cứu không hợp lệ", f"invalid token {token!r}")
    kid, private_key = keyring.signer()
    payload = cose.encode(claims.to_map())
    signed = cose.sign1(
        payload, kid=kid_bytes(kid), private_key=private_key, external_aad=token.encode("ascii")
    )
    return encoding.to_text(signed)


def _fail(verdict: SealVerdict, vi: str, en: str, **extra: Any) -> SealCheck:
    return SealCheck(ok=False, verdict=verdict, reason_vi=vi, reason_en=en, **extra)


def verify_seal(
    text: str, *, published_keys: PublishedKeys | Mapping[str, Any], token: str
) -> SealCheck:
    """Check a seal offline against the published keys. Never raises for a bad seal or token.

    ``published_keys`` is a :class:`PublishedKeys` or the JWK Set document itself (a document
    that is not a key set raises :class:`KeySetError`: that is the verifier's configuration,
    not the seal).
    """
    keys = (
        published_keys
        if isinstance(published_keys, PublishedKeys)
        else PublishedKeys.from_jwks(published_keys)
    )
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return _fail(SealVerdict.BAD_TOKEN, "Mã tra cứu không hợp lệ", "invalid token")
    try:
        message = cose.parse_sign1(encoding.from_text(text) if isinstance(text, str) else b"")
    except MalformedSeal as exc:
        return _fail(SealVerdict.MALFORMED, exc.message_vi, exc.message_en)
    kid = kid_from_bytes(message.kid)
    key = keys.get(kid)
    if key is None:
        return _fail(
            SealVerdict.UNKNOWN_KEY,
            f"Khóa ký {kid} không có trong tập khóa công bố của phường",
            f"signing key {kid} is not in the ward's published key set",
            kid=kid,
        )
    if key.status is KeyStatus.WITHDRAWN:
        return _fail(
            SealVerdict.WITHDRAWN_KEY,
            f"Khóa ký {kid} đã bị thu hồi: con dấu này không còn giá trị",
            f"signing key {kid} has been withdrawn: this seal is void",
            kid=kid,
            key_status=key.status,
        )
    if not cose.signature_ok(message, key.public_key, external_aad=token.encode("ascii")):
        return _fail(
            SealVerdict.BAD_SIGNATURE,
            "Chữ ký không khớp: nội dung hoặc mã tra cứu đã bị sửa, hoặc không do phường ký",
            "the signature does not match: content or token altered, or not signed by the ward",
            kid=kid,
            key_status=key.status,
        )
    # Only now, with the signature checked, is the payload worth reading.
    try:
        payload = cose.decode_strict(message.payload, what_vi="nội dung", what_en="the payload")
        claims = SealClaims.from_map(payload)
    except (MalformedSeal, InvalidSealClaims) as exc:
        return _fail(
            SealVerdict.BAD_CLAIMS, exc.message_vi, exc.message_en, kid=kid, key_status=key.status
        )
    return SealCheck(
        ok=True,
        verdict=SealVerdict.GENUINE,
        reason_vi="Hợp lệ",
        reason_en="genuine",
        kid=kid,
        key_status=key.status,
        claims=claims,
    )
