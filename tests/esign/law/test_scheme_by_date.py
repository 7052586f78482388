"""Receipts follow the scheme of their issue date (NĐ 254/2026 Điều 23.2; TT 91/2026 Phụ lục
II.2): EBL01 · 26TVA · 00000001 from 1 July 2026, numbers from 1 each 1 January, a replacement
in a new year in the new year's series; before, the registered NĐ 123/2020 series (VA-26E)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from esign.db.models import Receipt
from esign.errors import ValidationError
from esign.seal import verify_seal
from esign.workflows.actors import SYSTEM
from esign.workflows.receipts import AdjustmentKind, adjust_receipt, replace_receipt
from esign.workflows.series import create_series
from esign.workflows.snapshot import seal_claims
from esign.workflows.stored import snapshot_of_receipt
from tests.esign.api.conftest import Api
from tests.utils import scheme_now
from tests.utils.pdf_checks import page_texts, squash

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
        year = scheme_now.TODAY.year
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


def test_old_documents_unchanged_new_ones_under_the_new_unit_and_scheme(law_api: Api) -> None:
    """A receipt of 30/6/2025 names UBND phường Văn An (Chí Linh, Hải Dương) under NĐ 123/2020;
    one of 1/7/2026 names UBND phường Chu Văn An, Hải Phòng, under NĐ 254/2026; issuing the
    second changes nothing of the first, and both pages and seals still check."""
    with law_api.service.db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-25E")
    old = issue(law_api, dt.date(2025, 6, 30))
    with law_api.service.db.reading() as s:
        old_pdf = bytes(s.get(Receipt, old.id).document.content)  # type: ignore[union-attr]
    new = issue(law_api, dt.date(2026, 7, 1))
    old_snap, new_snap = snapshot_of_receipt(old), snapshot_of_receipt(new)
    assert (old_snap.unit.code, new_snap.unit.code) == ("10579", "10549")
    assert old_snap.unit.address == "Phường Văn An, thành phố Chí Linh, tỉnh Hải Dương"
    assert new_snap.unit.address == "Phường Chu Văn An, thành phố Hải Phòng"
    assert old_snap.scheme.full_label == "01BLP0-001 · VA-25E · 0000001"
    assert new_snap.scheme.full_label == "EBL01 · 26TVA · 00000001"
    old_text = squash(" ".join(page_texts(old_pdf)))
    assert "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN" in old_text and "Chí Linh" in old_text
    with law_api.service.db.reading() as s:
        row = s.get(Receipt, old.id)
        assert row is not None and bytes(row.document.content) == old_pdf
        assert row.snapshot == old.snapshot
        new_pdf = bytes(s.get(Receipt, new.id).document.content)  # type: ignore[union-attr]
    new_text = squash(" ".join(page_texts(new_pdf)))
    assert "ỦY BAN NHÂN DÂN PHƯỜNG CHU VĂN AN" in new_text and "Chí Linh" not in new_text
    for receipt, name in ((old, "phường Văn An"), (new, "phường Chu Văn An")):
        html = law_api.client.get(f"/v/{receipt.token}").text
        unit = re.search(r'<dd id="unit">(.*?)<br>', html, re.S)
        assert unit is not None and unit.group(1).strip() == f"Ủy ban nhân dân {name}"
        answer = law_api.client.post(f"/v/{receipt.token}/seal", json={"seal": receipt.seal})
        assert answer.json()["genuine"] is True and answer.json()["mismatches"] == []


@pytest.mark.parametrize(("old_series", "new_letters"), [("QB-26E", "QB"), ("FI-26E", "VA")])
def test_a_replacement_keeps_letters_the_new_scheme_allows(
    law_api: Api, old_series: str, new_letters: str
) -> None:
    """TT 91/2026 Phụ lục II.2.b: the letters come from A B C D E G H K L M N P Q R S T U V X Y;
    a predecessor's letters outside them give way to the unit's (VA)."""
    with law_api.service.db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series=old_series)
    first = issue(law_api, dt.date(2026, 6, 30), template_symbol="01BLP0-001", series=old_series)
    with law_api.service.db.transaction() as s:
        new = replace_receipt(s, clerk(law_api), law_api.service, first.id, reason="Sai số tiền")
        series = new.series
    assert series == f"{scheme_now.TODAY.year % 100}T{new_letters}"
