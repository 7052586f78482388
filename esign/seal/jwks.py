"""Seal keys as the public sees them: a JWK Set (RFC 7517) with a status on every key.

Each key is ``{"kty": "EC", "crv": "P-256", "x", "y", "alg": "ES256", "use": "sig", "kid",
"status", "created"}``. ``status`` is ours: ``active`` signs new seals, ``retired`` no longer
signs but its seals still verify, ``withdrawn`` (compromised or issued in error) makes every seal
it signed fail. Withdrawn keys stay in the set so that a verifier can say *withdrawn* rather
than *unknown*.

The ``kid`` is the base64url of the COSE ``kid`` bytes: the first 4 bytes of the key's RFC 7638
thumbprint. Four bytes keep the seal short; the key id only picks a key, the signature is what
proves, and the keyring refuses a new key whose id collides with an old one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NewType

from cryptography.hazmat.primitives.asymmetric import ec

from .errors import KeySetError

KeyId = NewType("KeyId", str)
KID_BYTES = 4


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    WITHDRAWN = "withdrawn"

    @property
    def label_vi(self) -> str:
        return {"active": "đang dùng", "retired": "đã thay thế", "withdrawn": "đã thu hồi"}[self]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(raw) != text:  # refuse non-canonical spellings (stray bits in the last char)
        raise ValueError("not canonical base64url")
    return raw


def kid_bytes(kid: KeyId) -> bytes:
    return b64url_decode(kid)


def kid_from_bytes(raw: bytes) -> KeyId:
    return KeyId(b64url(raw))


def _coordinates(public_key: ec.EllipticCurvePublicKey) -> tuple[str, str]:
    numbers = public_key.public_numbers()
    return b64url(numbers.x.to_bytes(32, "big")), b64url(numbers.y.to_bytes(32, "big"))


def thumbprint_kid(public_key: ec.EllipticCurvePublicKey) -> KeyId:
    x, y = _coordinates(public_key)
    # RFC 7638 §3.2: the required members only, sorted, no whitespace.
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": x, "y": y}, separators=(",", ":"))
    return kid_from_bytes(hashlib.sha256(canonical.encode()).digest()[:KID_BYTES])


@dataclass(frozen=True)
class PublishedKey:
    kid: KeyId
    status: KeyStatus
    created: dt.datetime
    public_key: ec.EllipticCurvePublicKey

    def to_jwk(self) -> dict[str, str]:
        x, y = _coordinates(self.public_key)
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": x,
            "y": y,
            "alg": "ES256",
            "use": "sig",
            "kid": self.kid,
            "status": self.status.value,
            "created": self.created.isoformat(),
        }

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublishedKey:
        kid = jwk.get("kid")
        where = f"khóa {kid!r}"
        try:
            if (jwk.get("kty"), jwk.get("crv")) != ("EC", "P-256"):
                raise ValueError("kty/crv")
            if jwk.get("alg", "ES256") != "ES256" or jwk.get("use", "sig") != "sig":
                raise ValueError("alg/use")
            if not isinstance(kid, str) or not 1 <= len(kid_bytes(KeyId(kid))) <= 16:
                raise ValueError("kid")
            x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
            if len(x) != 32 or len(y) != 32:
                raise ValueError("x/y length")
            public_key = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            ).public_key()  # ValueError when the point is not on the curve
            status = KeyStatus(str(jwk.get("status")))
            created = dt.datetime.fromisoformat(jwk["created"])
            if created.tzinfo is None:
                raise ValueError("created without a time zone")
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise KeySetError(
                f"Tập khóa công bố: {where} không hợp lệ ({exc})",
                f"published key set: key {kid!r} is invalid ({exc})",
            ) from exc
        return cls(kid=KeyId(kid), status=status, created=created, public_key=public_key)


@dataclass(frozen=True)
class PublishedKeys:
    """The keys a verifier trusts, by key id; read from the JSON the service publishes."""

    keys: tuple[PublishedKey, ...]

    def __post_init__(self) -> None:
        kids = [k.kid for k in self.keys]
        if len(set(kids)) != len(kids):
            raise KeySetError("Tập khóa có mã khóa trùng nhau", "duplicate key ids in the key set")

    def get(self, kid: KeyId) -> PublishedKey | None:
        return next((k for k in self.keys if k.kid == kid), None)

    def to_jwks(self) -> dict[str, Any]:
        return {"keys": [k.to_jwk() for k in self.keys]}

    @classmethod
    def from_jwks(cls, document: object) -> PublishedKeys:
        keys = document.get("keys") if isinstance(document, Mapping) else None
        if not isinstance(keys, list):
            raise KeySetError(
                'Tập khóa công bố phải là JWK Set {"keys": [...]}',
                'a published key set must be a JWK Set {"keys": [...]}',
            )
        found: list[PublishedKey] = []
        for jwk in keys:
            if not isinstance(jwk, Mapping):
                raise KeySetError("Tập khóa có phần tử không phải JWK", "a key is not an object")
            if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
                continue  # RFC 7517 §5: skip keys of kinds we do not use
            found.append(PublishedKey.from_jwk(jwk))
        return cls(keys=tuple(found))

    @classmethod
    def from_file(cls, path: Path) -> PublishedKeys:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KeySetError(
                f"Không đọc được tập khóa {path}: {exc}", f"cannot read key set {path}: {exc}"
            ) from exc
        return cls.from_jwks(document)
