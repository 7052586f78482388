from __future__ import annotations

import datetime as dt
from pathlib import Path

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esign.seal import (
    Keyring,
    KeyStatus,
    PublishedKeys,
    SealClaims,
    SealVerdict,
    make_seal,
    mask_name,
    verify_seal,
)
from esign.seal.claims import Field
from tests.esign.seal.helpers import TOKEN, pack, receipt_claims, result_claims, unpack, with_fields


def test_round_trip(keyring: Keyring, claims: SealClaims) -> None:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    check = verify_seal(seal, published_keys=keyring.published(), token=TOKEN)
    assert check.ok and check.verdict is SealVerdict.GENUINE
    assert check.claims == claims
    assert check.kid == keyring.active.kid and check.key_status is KeyStatus.ACTIVE
    assert check.reason_vi == "Hợp lệ"


def test_round_trip_result_document(keyring: Keyring) -> None:
    claims = result_claims()
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    check = verify_seal(seal, published_keys=keyring.published_keys(), token=TOKEN)
    assert check.ok and check.claims == claims and check.claims.total is None


def test_changed_total_with_the_old_signature_is_not_genuine(
    keyring: Keyring, claims: SealClaims
) -> None:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    forged = with_fields(seal, f7=15_000_000)
    assert unpack(forged)[1][Field.TOTAL] == 15_000_000  # the forgery really says so
    check = verify_seal(forged, published_keys=keyring.published(), token=TOKEN)
    assert not check.ok and check.verdict is SealVerdict.BAD_SIGNATURE
    assert check.claims is None  # unauthenticated facts are never handed out
    assert "Chữ ký không khớp" in check.reason_vi


def test_seal_is_bound_to_its_token(keyring: Keyring, claims: SealClaims) -> None:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    check = verify_seal(seal, published_keys=keyring.published(), token="A" * 22)
    assert not check.ok and check.verdict is SealVerdict.BAD_SIGNATURE


def test_signature_from_another_key_under_our_kid(
    keyring: Keyring, claims: SealClaims, tmp_path: Path
) -> None:
    # An attacker signs with their own key but labels the seal with our active key id.
    other = Keyring.load_or_create(tmp_path / "attacker")
    theirs = make_seal(claims, keyring=other, token=TOKEN)
    ours = make_seal(claims, keyring=keyring, token=TOKEN)
    _, _, payload, their_signature = unpack(theirs)
    forged = pack(unpack(ours)[0], payload, their_signature)
    check = verify_seal(forged, published_keys=keyring.published(), token=TOKEN)
    assert not check.ok and check.verdict is SealVerdict.BAD_SIGNATURE
    assert check.kid == keyring.active.kid


def test_unknown_key_id(keyring: Keyring, claims: SealClaims, tmp_path: Path) -> None:
    other = Keyring.load_or_create(tmp_path / "elsewhere")
    seal = make_seal(claims, keyring=other, token=TOKEN)
    check = verify_seal(seal, published_keys=keyring.published(), token=TOKEN)
    assert not check.ok and check.verdict is SealVerdict.UNKNOWN_KEY
    assert check.kid == other.active.kid and check.kid in check.reason_vi


def test_old_seal_verifies_after_rotation(keyring: Keyring, claims: SealClaims) -> None:
    old_kid = keyring.active.kid
    old = make_seal(claims, keyring=keyring, token=TOKEN)
    new_key = keyring.rotate()
    new = make_seal(claims, keyring=keyring, token=TOKEN)
    published = Keyring.load(keyring.folder).published()  # as another process would see it
    old_check = verify_seal(old, published_keys=published, token=TOKEN)
    new_check = verify_seal(new, published_keys=published, token=TOKEN)
    assert old_check.ok and old_check.kid == old_kid and old_check.key_status is KeyStatus.RETIRED
    assert new_check.ok and new_check.kid == new_key.kid != old_kid


def test_withdrawn_key_fails(keyring: Keyring, claims: SealClaims) -> None:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    kid = keyring.active.kid
    keyring.rotate()
    keyring.withdraw(kid)
    check = verify_seal(seal, published_keys=keyring.published(), token=TOKEN)
    assert not check.ok and check.verdict is SealVerdict.WITHDRAWN_KEY
    assert check.key_status is KeyStatus.WITHDRAWN and "thu hồi" in check.reason_vi


def test_payload_that_is_signed_but_not_our_claims(keyring: Keyring) -> None:
    # Correctly signed, but not a claims map: "not genuine", never an exception.
    from esign.seal import cose, encoding
    from esign.seal.jwks import kid_bytes

    kid, key = keyring.signer()
    for payload in (cbor2.dumps([1, 2]), cbor2.dumps({1: "x"}), b"\xff"):
        seal = encoding.to_text(
            cose.sign1(payload, kid=kid_bytes(kid), private_key=key, external_aad=TOKEN.encode())
        )
        check = verify_seal(seal, published_keys=keyring.published(), token=TOKEN)
        assert not check.ok and check.verdict is SealVerdict.BAD_CLAIMS, payload


def test_published_document_is_accepted_as_dict_or_object(
    keyring: Keyring, claims: SealClaims
) -> None:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    parsed = PublishedKeys.from_jwks(keyring.published())
    assert verify_seal(seal, published_keys=parsed, token=TOKEN).ok


_SYMBOL = st.from_regex(r"[0-9A-ZĐ][0-9A-Za-zĐđ/.\-]{0,20}", fullmatch=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.integers(1, 9_999_999),
    total=st.integers(0, 10**12),
    day=st.dates(dt.date(2000, 1, 1), dt.date(2199, 12, 31)),
    symbol=_SYMBOL,
    series=_SYMBOL,
    name=st.text(min_size=1, max_size=40).filter(lambda s: mask_name(s) != ""),
    digest=st.binary(min_size=32, max_size=32),
)
def test_any_valid_receipt_round_trips(
    keyring: Keyring,
    number: int,
    total: int,
    day: dt.date,
    symbol: str,
    series: str,
    name: str,
    digest: bytes,
) -> None:
    claims = receipt_claims(
        number=number,
        total=total,
        issued_on=day,
        template_symbol=symbol,
        series=series,
        payer_masked=mask_name(name),
        pdf_sha256=digest,
    )
    check = verify_seal(
        make_seal(claims, keyring=keyring, token=TOKEN),
        published_keys=keyring.published(),
        token=TOKEN,
    )
    assert check.ok and check.claims == claims
