from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from esign.seal import (
    PUBLISHED_FILE,
    Keyring,
    KeyringError,
    KeySetError,
    KeyStatus,
    PublishedKeys,
    UnknownKeyError,
)
from esign.seal.jwks import thumbprint_kid


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_created_with_one_active_key_encrypted_at_rest(keyring: Keyring) -> None:
    folder = keyring.folder
    (key,) = keyring.keys
    assert key.status is KeyStatus.ACTIVE and key.created.tzinfo is not None
    pem = (folder / "private" / f"{key.kid}.pem").read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):  # no password: refused, so it really is encrypted
        serialization.load_pem_private_key(pem, None)
    assert _mode(folder) == 0o700 and _mode(folder / "private") == 0o700
    assert _mode(folder / "password") == 0o600
    assert _mode(folder / "private" / f"{key.kid}.pem") == 0o600
    # The key id is derived from the key (RFC 7638 thumbprint), 4 bytes in base64url.
    assert key.kid == thumbprint_kid(key.public_key) and len(key.kid) == 6


def test_published_set_is_public_jwks(keyring: Keyring) -> None:
    keyring.rotate()
    doc = json.loads((keyring.folder / PUBLISHED_FILE).read_text())
    assert doc == keyring.published()
    assert [k["status"] for k in doc["keys"]] == ["retired", "active"]
    for jwk in doc["keys"]:
        assert {"kty", "crv", "x", "y", "alg", "kid", "status"} <= set(jwk)
        assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")
        assert "d" not in jwk  # the private scalar
    password = (keyring.folder / "password").read_text().strip()
    assert password not in json.dumps(doc)


def test_load_sees_the_same_keys_and_signs_with_the_active_one(keyring: Keyring) -> None:
    again = Keyring.load_or_create(keyring.folder)
    assert again.keys == keyring.keys
    kid, private = again.signer()
    assert kid == keyring.active.kid
    assert private.public_key().public_numbers() == keyring.active.public_key.public_numbers()


def test_rotation_and_withdrawal(keyring: Keyring) -> None:
    first = keyring.active.kid
    second = keyring.rotate().kid
    statuses = {k.kid: k.status for k in Keyring.load(keyring.folder).keys}
    assert statuses == {first: KeyStatus.RETIRED, second: KeyStatus.ACTIVE}
    # Withdrawing the active key activates a new one at once: issuing never stops.
    withdrawn = keyring.withdraw(second)
    assert withdrawn.status is KeyStatus.WITHDRAWN
    third = keyring.active.kid
    assert third not in (first, second)
    assert keyring.signer()[0] == third
    statuses = {k.kid: k.status for k in Keyring.load(keyring.folder).keys}
    assert statuses[second] is KeyStatus.WITHDRAWN and statuses[third] is KeyStatus.ACTIVE
    with pytest.raises(UnknownKeyError):
        keyring.withdraw("AAAAAA")


def test_two_handles_do_not_lose_each_others_changes(keyring: Keyring) -> None:
    # Two processes holding the keyring: each change starts from what is on disk.
    other = Keyring.load(keyring.folder)
    a = keyring.rotate()
    b = other.rotate()
    statuses = {k.kid: k.status for k in Keyring.load(keyring.folder).keys}
    assert len(statuses) == 3 and statuses[b.kid] is KeyStatus.ACTIVE
    assert statuses[a.kid] is KeyStatus.RETIRED


def test_refuses_missing_and_unsafe_files(keyring: Keyring, tmp_path: Path) -> None:
    with pytest.raises(KeyringError):
        Keyring.load(tmp_path / "nothing-here")
    os.chmod(keyring.folder / "password", 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        Keyring.load(keyring.folder).signer()


def test_key_set_parsing_rejects_bad_documents(keyring: Keyring) -> None:
    good = keyring.published()
    jwk = good["keys"][0]
    broken: object
    for broken in (
        [],
        {"keys": "x"},
        {"keys": [{**jwk, "x": jwk["y"]}]},  # not a point on the curve
        {"keys": [{**jwk, "status": "maybe"}]},
        {"keys": [{**jwk, "alg": "ES384"}]},
        {"keys": [jwk, jwk]},  # duplicate key id
    ):
        with pytest.raises(KeySetError):
            PublishedKeys.from_jwks(broken)
    # Keys of another kind are skipped, not fatal (RFC 7517 §5).
    mixed = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}, jwk]}
    assert [k.kid for k in PublishedKeys.from_jwks(mixed).keys] == [jwk["kid"]]
