from __future__ import annotations

import datetime as dt

import pytest

from esign.seal import DocumentKind, InvalidSealClaims, SealClaims
from esign.seal.claims import Field
from tests.esign.seal.helpers import receipt_claims, result_claims


def test_map_round_trip_receipt_and_result() -> None:
    for claims in (receipt_claims(), result_claims()):
        assert SealClaims.from_map(claims.to_map()) == claims
    m = receipt_claims().to_map()
    assert (
        list(m) == sorted(m) and m[Field.DATE] == (dt.date(2026, 11, 27) - dt.date(1970, 1, 1)).days
    )
    assert Field.TOTAL not in result_claims().to_map()


@pytest.mark.parametrize(
    "changes",
    [
        {"payer_masked": "Bùi Thị Trang"},  # a full name must never go into a public seal
        {"total": None},
        {"total": -1},
        {"number": True},  # bool is an int in Python
        {"number": 0},
        {"number": "0001234"},
        {"template_symbol": None},
        {"unit_tax_code": "080012345"},
        {"pdf_sha256": b"\x00" * 31},
        {"issued_on": dt.datetime(2026, 11, 27, 8, 0)},
        {"issued_on": dt.date(1969, 12, 31)},
        {"kind": 3},
    ],
)
def test_invalid_claims_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidSealClaims):
        receipt_claims(**changes)


def test_result_document_rules() -> None:
    with pytest.raises(InvalidSealClaims):
        SealClaims(
            unit_tax_code="0800123456",
            kind=DocumentKind.RESULT,
            number="15/2026/XNTTHN",
            issued_on=dt.date(2026, 11, 27),
            payer_masked="N***",
            pdf_sha256=b"\x01" * 32,
            total=8000,  # results carry no amount
        )


def test_text_is_stored_nfc() -> None:
    import unicodedata

    claims = receipt_claims(payer_masked=unicodedata.normalize("NFD", "Đ*** Ư**"))
    assert claims.payer_masked == "Đ*** Ư**" and unicodedata.is_normalized(
        "NFC", claims.payer_masked
    )


def test_unknown_and_missing_fields_are_refused() -> None:
    m = receipt_claims().to_map()
    with pytest.raises(InvalidSealClaims):
        SealClaims.from_map({**m, 10: "extra"})
    del m[Field.PDF_SHA256]
    with pytest.raises(InvalidSealClaims):
        SealClaims.from_map(m)
