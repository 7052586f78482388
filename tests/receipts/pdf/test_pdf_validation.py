"""Bad input fails with a clear DocumentError before any PDF exists."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

import receipts.pdf.engine as engine
from receipts.errors import DocumentError, ReceiptsError
from receipts.fees import total_of
from receipts.pdf import (
    CollectingUnit,
    FeeLine,
    Limit,
    Official,
    PageSize,
    Payer,
    QrLevel,
    ReceiptReference,
    render_receipt,
    render_result,
)
from receipts.pdf.qr import encode
from receipts.pdf.theme import receipt_theme
from tests.utils.pdf_samples import LONGEST_QR, fee_line, make_receipt, marital


@pytest.fixture(autouse=True)
def no_pdf_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any test here that reached the canvas would fail: errors come before drawing."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a PDF canvas was created")

    monkeypatch.setattr(engine, "_new_canvas", refuse)


def _error(call: Any, *args: Any, **kwargs: Any) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        call(*args, **kwargs)
    assert isinstance(info.value, ReceiptsError)
    return info.value


def test_control_characters_in_a_name() -> None:
    for bad in ("Bùi Thị\x07 Trang", "Bùi\nThị Trang", "Bùi Thị\u202e Trang", "Bùi\u200bThị"):
        err = _error(Payer, name=bad, address="Văn An")
        assert err.code == "control_character"
        assert "Tên người nộp" in err.message and "ký tự điều khiển" in err.message


def test_five_thousand_character_address() -> None:
    err = _error(Payer, name="Bùi Thị Trang", address="Văn An " * 715)
    assert err.code == "text_too_long"
    assert "Địa chỉ người nộp" in err.message and str(int(Limit.ADDRESS)) in err.message


def test_limits_allow_the_long_names_that_must_wrap() -> None:
    assert Limit.NAME >= 120 and Limit.ADDRESS >= 120
    Payer(name="N" * 120, address="A" * 120)  # no error


def test_negative_amounts() -> None:
    assert _error(fee_line, 0, unit_price=-5_000, amount=-5_000).code == "negative_amount"
    err = _error(fee_line, 0, amount=-1, exemption_reason="Hộ nghèo")
    assert err.code == "negative_amount" and "âm" in err.message


def test_amount_must_be_quantity_times_unit_price() -> None:
    err = _error(fee_line, 0, quantity=2, unit_price=5_000, amount=5_000)
    assert err.code == "amount_mismatch" and "2 × 5000 = 10000" in err.message
    exempt = _error(fee_line, 0, exemption_reason="Người có công", amount=5_000)
    assert exempt.code == "amount_mismatch"
    ok = fee_line(0, quantity=2, unit_price=5_000, amount=0, exemption_reason="Người có công")
    assert ok.amount == 0


def test_money_is_int_dong() -> None:
    assert _error(fee_line, 0, unit_price=5000.0, amount=5000.0).code == "invalid_type"
    assert _error(fee_line, 0, quantity=True).code == "invalid_type"


def test_the_total_is_the_sum_of_the_lines_and_cannot_be_given() -> None:
    for n in (1, 2, 7):
        lines = tuple(fee_line(i) for i in range(n))
        receipt = dataclasses.replace(make_receipt(), lines=lines)
        assert receipt.total == sum(line.amount for line in lines) == total_of(lines)
    with pytest.raises(TypeError):
        dataclasses.replace(make_receipt(), total=1)  # type: ignore[call-arg]


def test_empty_fee_list() -> None:
    err = _error(dataclasses.replace, make_receipt(), lines=())
    assert err.code == "no_fee_lines" and "ít nhất một khoản thu" in err.message


def test_qr_text_too_long_for_the_chosen_size() -> None:
    # 150 more bytes after the seal (3496 bits at level M): fits the 36 mm A4 symbol (version
    # 18 at most, 4504 bits), not the 32 mm A5 one (version 15, 3320 bits)
    text = LONGEST_QR + "x" * 150
    receipt = make_receipt(qr_text=text)
    assert encode(text, level=QrLevel.M, size_mm=receipt_theme(PageSize.A4).qr_mm).version == 16
    err = _error(render_receipt, receipt, page_size=PageSize.A5)
    assert err.code == "qr_text_too_long" and "32 mm" in err.message
    err = _error(render_receipt, make_receipt(), page_size=PageSize.A5, qr_level=QrLevel.H)
    assert err.code == "qr_text_too_long"
    assert _error(make_receipt, qr_text="https://a.vn/" + "x" * 2000).code == "text_too_long"
    assert _error(make_receipt, qr_text="https://a.vn/v/ có dấu").code == "invalid_qr_text"


def test_formats_and_times() -> None:
    unit = dict(name="UBND phường Văn An", address="Văn An")
    assert _error(CollectingUnit, tax_code="08001234", **unit).code == "invalid_format"
    CollectingUnit(tax_code="0800123456-001", **unit)
    assert _error(make_receipt, template_symbol="01 BLP").code == "invalid_format"
    assert _error(make_receipt, number=0).code == "out_of_range"
    # At most 8 digits (NĐ 254/2026 Điều 23.2).
    assert _error(make_receipt, number=100_000_000).code == "out_of_range"
    naive = dt.datetime(2024, 11, 5, 9, 30)
    err = _error(make_receipt, issued_at=naive)
    assert err.code == "naive_datetime" and "múi giờ" in err.message


def test_unknown_choices() -> None:
    err = _error(make_receipt, payment_method="cheque")
    assert err.code == "invalid_choice" and "cash, bank_transfer, online" in err.message
    assert make_receipt(payment_method="bank_transfer").payment_method.label == "Chuyển khoản"
    assert _error(render_receipt, make_receipt(), page_size="Letter").code == "invalid_choice"
    assert _error(render_receipt, make_receipt(), qr_level="L").code == "invalid_choice"


def test_reference_and_result_checks() -> None:
    err = _error(
        ReceiptReference,
        kind="replaces",
        template_symbol="01BLP0-001",
        series="VA-24E",
        number=122,
        issued_on=dt.date(2024, 11, 4),
        reason=" ",
    )
    assert err.code == "empty_text"
    err = _error(Official, role="Chủ tịch", title="CHỦ TỊCH", name="Lê Văn A")
    assert err.code == "invalid_format"
    official = Official(role="chairman", title="CHỦ TỊCH", name="Lê Văn A")
    err = _error(marital, officials=(official, official))
    assert err.code == "invalid_officials"
    err = _error(render_result, marital(qr_text=LONGEST_QR + "x" * 150), page_size=PageSize.A5)
    assert err.code == "qr_text_too_long"


def test_too_many_lines() -> None:
    lines = tuple(fee_line(i) for i in range(101))
    err = _error(dataclasses.replace, make_receipt(), lines=lines)
    assert err.code == "too_many_lines"


def test_exempt_lines_print_at_zero_with_their_reason() -> None:
    line = FeeLine(
        name="Lệ phí",
        legal_basis="NQ 12/2020",
        quantity=3,
        unit_price=8_000,
        amount=0,
        exemption_reason="  Trẻ em dưới 6 tuổi  ",
    )
    assert line.exemption_reason == "Trẻ em dưới 6 tuổi"
    assert (
        FeeLine(
            name="x", legal_basis="y", quantity=1, unit_price=0, amount=0, exemption_reason="   "
        ).exemption_reason
        is None
    )
