"""Receipts follow the scheme of their issue date (NĐ 254/2026 Điều 23.2; TT 91/2026 Phụ lục
II.2): EBL01 · 26TVA · 00000001 from 1 July 2026, numbers from 1 each 1 January, a replacement
in a new year in the new year's series; before, the registered NĐ 123/2020 series (VA-26E)."""

from __future__ import annotations

import datetime as dt

import pytest

from esign.errors import ValidationError
from esign.seal import verify_seal
from esign.workflows.receipts import AdjustmentKind, adjust_receipt, replace_receipt
from esign.workflows.snapshot import seal_claims
from esign.workflows.stored import snapshot_of_receipt
from tests.esign.api.conftest import Api

from .helpers import clerk, issue


def test_the_three_days_follow_their_schemes(law_api: Api) -> None:
    old = [issue(law_api, dt.date(2026, 6, 30)) for _ in range(2)]
    new = [issue(law_api, dt.date(2026, 7, 1)) for _ in range(3)]
    next_year = [issue(law_api, dt.date(2027, 1, 1)) for _ in range(2)]
    assert [(r.template_symbol, r.series, r.number) for r in old] == [
        ("01BLP0-001", "VA-26E", 1),
        ("01BLP0-001", "VA-26E", 2),
    ]
    assert [(r.template_symbol, r.series, r.number) for r in new] == [
        ("EBL01", "26TVA", n) for n in (1, 2, 3)
    ]
    assert [(r.template_symbol, r.series, r.number) for r in next_year] == [
        ("EBL01", "27TVA", n) for n in (1, 2)
    ]
    labels = [snapshot_of_receipt(r).scheme.full_label for r in (old[0], new[2], next_year[1])]
    assert labels == [
        "01BLP0-001 · VA-26E · 0000001",
        "EBL01 · 26TVA · 00000003",
        "EBL01 · 27TVA · 00000002",
    ]
    assert [snapshot_of_receipt(r).scheme.label for r in (old[0], new[0])] == [
        "receipt/nd123-2020",
        "receipt/nd254-2026",
    ]


def test_the_old_series_is_refused_in_a_new_year(law_api: Api) -> None:
    """The registered VA-26E would print "VA-26E / 0000001" again in 2027: it is not used."""
    with pytest.raises(ValidationError) as caught:
        issue(law_api, dt.date(2027, 1, 1), template_symbol="01BLP0-001", series="VA-26E")
    assert caught.value.code == "receipt_scheme"
    with pytest.raises(ValidationError) as caught:
        issue(law_api, dt.date(2026, 9, 1), series="27TVA")
    assert caught.value.code == "receipt_scheme"


def test_a_replacement_in_a_new_year_takes_the_new_series(law_api: Api) -> None:
    for day, first in ((dt.date(2026, 6, 30), "VA-26E"), (dt.date(2026, 12, 30), "26TVA")):
        receipt = issue(law_api, day)
        assert receipt.series == first
        with law_api.service.db.transaction() as s:
            new = replace_receipt(
                s, clerk(law_api), law_api.service, receipt.id, reason="Sai số tiền"
            )
            got = (new.template_symbol, new.series, new.year)
            snap = snapshot_of_receipt(new)
        # Replaced today (2026-12 here, or later): the series of the replacement's own year.
        year = dt.date.today().year
        assert got == ("EBL01", f"{year % 100}TVA", year)
        assert snap.reference is not None and snap.reference.series == first


def test_seals_state_eight_digit_numbers(law_api: Api) -> None:
    receipt = issue(law_api, dt.date(2026, 7, 1))
    snap = snapshot_of_receipt(receipt)
    assert receipt.seal is not None
    check = verify_seal(
        receipt.seal, published_keys=law_api.service.keyring.published_keys(), token=receipt.token
    )
    assert check.ok and check.claims == seal_claims(snap)
    assert check.claims.number == 1 and snap.scheme.number_label == "00000001"
    assert check.claims.xml_sha256 is not None


def test_no_adjustment_under_the_new_scheme(law_api: Api) -> None:
    """TT 91/2026 Điều 20: replacement or notice, no adjustment receipts."""
    receipt = issue(law_api, dt.date(2026, 8, 3))
    with pytest.raises(ValidationError) as caught, law_api.service.db.transaction() as s:
        adjust_receipt(
            s,
            clerk(law_api),
            law_api.service,
            receipt.id,
            kind=AdjustmentKind.INFORMATION,
            reason="Sai địa chỉ",
        )
    assert caught.value.code == "adjustment_not_allowed"
    old = issue(law_api, dt.date(2026, 6, 2))
    with law_api.service.db.transaction() as s:
        adjusted = adjust_receipt(
            s,
            clerk(law_api),
            law_api.service,
            old.id,
            kind=AdjustmentKind.INFORMATION,
            reason="Sai địa chỉ",
        )
        assert adjusted.adjusts_id == old.id
