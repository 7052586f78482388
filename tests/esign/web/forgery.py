"""Forged and damaged seals for a genuine receipt: what a citizen's page must call not genuine."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from esign.seal import Keyring, SealClaims, make_seal, verify_seal
from tests.esign.seal.helpers import pack, unpack, with_fields


def genuine_claims(ring: Keyring, seal: str, token: str) -> SealClaims:
    check = verify_seal(seal, published_keys=ring.published(), token=token)
    assert check.ok and check.claims is not None, check.reason_en
    return check.claims


def forgeries(
    ring: Keyring, *, seal: str, token: str, other_seal: str, attacker: Path
) -> dict[str, tuple[str, str]]:
    """name → (seal text, the server's verdict) for the receipt ``token`` sealed as ``seal``.

    ``ring`` is the ward's keyring (one case signs with it); ``other_seal`` is another
    receipt's genuine seal; ``attacker`` a folder for a keyring the ward never published.
    """
    claims = genuine_claims(ring, seal, token)
    theirs = make_seal(claims, keyring=Keyring.load_or_create(attacker), token=token)
    protected = unpack(seal)[0]
    _, _, their_payload, their_signature = unpack(theirs)
    assert claims.total is not None
    return {
        # One field changed and re-encoded, the ward's signature kept.
        "changed_total": (with_fields(seal, f7=claims.total * 10), "bad_signature"),
        # Signed by another key, labelled with the ward's key id.
        "another_key": (pack(protected, their_payload, their_signature), "bad_signature"),
        # Signed by a key the ward never published.
        "unknown_key": (theirs, "unknown_key"),
        # Another receipt's genuine seal pasted after this receipt's token.
        "other_receipt": (other_seal, "bad_signature"),
        # Signed by the ward's key but stating other facts than the record.
        "facts_differ": (
            make_seal(
                dataclasses.replace(claims, total=claims.total + 1), keyring=ring, token=token
            ),
            "mismatch",
        ),
        "garbage": ("12345678901234567890", "malformed"),
    }


def withdrawn_seal(folder: Path, claims: SealClaims, token: str) -> str:
    """A seal signed by a key of the ward that is then withdrawn (a new key takes over)."""
    ring = Keyring.load(folder)
    ring.rotate()
    seal = make_seal(claims, keyring=ring, token=token)
    ring.withdraw(ring.active.kid)
    return seal
