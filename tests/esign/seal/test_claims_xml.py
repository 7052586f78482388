"""Seal field 10 (the XML original's SHA-256, TT 91/2026 Điều 18) and 8-digit numbers
(NĐ 254/2026 Điều 23.2): new seals carry them, older seals without field 10 stay valid, and the
decoder still refuses keys it does not know."""

from __future__ import annotations

import hashlib

import pytest

from esign.seal import SealClaims
from esign.seal.claims import Field
from esign.seal.errors import InvalidSealClaims

from .helpers import receipt_claims, result_claims

XML_SHA = hashlib.sha256(b"<BLai/>").digest()


def test_field_10_round_trips_and_old_maps_stay_valid() -> None:
    new = receipt_claims(
        template_symbol="EBL01", series="26TVA", number=12_345_678, xml_sha256=XML_SHA
    )
    assert new.to_map()[int(Field.XML_SHA256)] == XML_SHA
    assert SealClaims.from_map(new.to_map()) == new
    old = receipt_claims()
    assert int(Field.XML_SHA256) not in old.to_map()
    assert SealClaims.from_map(old.to_map()) == old and old.xml_sha256 is None


@pytest.mark.parametrize("number", [1, 9_999_999, 10_000_000, 99_999_999])
def test_numbers_up_to_eight_digits(number: int) -> None:
    assert receipt_claims(number=number).number == number


@pytest.mark.parametrize("number", [0, 100_000_000])
def test_numbers_beyond_eight_digits_are_refused(number: int) -> None:
    with pytest.raises(InvalidSealClaims):
        receipt_claims(number=number)


@pytest.mark.parametrize("value", [b"", XML_SHA[:31], XML_SHA + b"\0", "ab" * 32])
def test_a_wrong_xml_digest_is_refused(value: object) -> None:
    with pytest.raises(InvalidSealClaims):
        receipt_claims(xml_sha256=value)


def test_a_result_has_no_xml_and_unknown_keys_stay_refused() -> None:
    m = result_claims().to_map()
    with pytest.raises(InvalidSealClaims):
        SealClaims.from_map({**m, int(Field.XML_SHA256): XML_SHA})
    with pytest.raises(InvalidSealClaims):
        SealClaims.from_map({**receipt_claims().to_map(), 11: XML_SHA})
