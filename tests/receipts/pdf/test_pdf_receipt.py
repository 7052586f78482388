"""Everything a fee receipt carries is printed on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from receipts.pdf import (
    FeeLine,
    PageSize,
    PaymentMethod,
    ReceiptReference,
    ReferenceKind,
    render_receipt,
)
from tests.utils.pdf_checks import lines_holding, page_texts, squash
from tests.utils.pdf_samples import SEAL, make_receipt


def _text(**changes: Any) -> str:
    return squash(" ".join(page_texts(render_receipt(make_receipt(**changes)).pdf)))


def test_every_item_of_the_receipt_is_printed() -> None:
    text = _text()
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Mẫu số: 01BLP0-001",
        "Ký hiệu: VA-24E",
        "Số: 0000123",
        "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN",
        "Mã số thuế: 0800123456",
        "Người nộp: Bùi Thị Trang",
        "Mã hồ sơ: H23.45-241105-0001",
        "Lệ phí đăng ký khai sinh (đăng ký lại) lần 1",
        "Căn cứ: Nghị quyết số 12/2020/NQ-HĐND tỉnh Hải Dương; Thông tư 85/2019/TT-BTC",
        "Miễn: Người thuộc hộ nghèo",
        "15.000 đ 0 đ",  # the exempt line: its unit price, then 0 đ
        "Tổng cộng 60.000 đ",
        "Số tiền bằng chữ: Sáu mươi nghìn đồng.",
        "Hình thức thanh toán: Tiền mặt",
        "Người thu tiền: Nguyễn Thị Hoa",
        "ĐƠN VỊ THU PHÍ, LỆ PHÍ",
        "Quét mã QR để kiểm tra biên lai điện tử",
    ):
        assert expected in text, expected
    # the URL without its seal, cut over lines (it has no space to wrap at)
    url = "https://dichvucong.phuongvanan.chilinh.haiduong.gov.vn/v/k3Jq9XwR2pL7sT5vN8yB4c"
    assert url in "".join(text.split())
    assert SEAL[:12] not in "".join(text.split())  # the seal travels in the QR only


def test_time_prints_in_vietnam() -> None:
    late = dt.datetime(2024, 11, 4, 20, 15, tzinfo=dt.UTC)  # 03:15 on the 5th in Vietnam
    text = _text(issued_at=late)
    assert "Ngày 05 tháng 11 năm 2024" in text
    assert "03:15 ngày 05/11/2024 (giờ Việt Nam, UTC+7)" in text
    assert "20:15" not in text


def test_payment_methods_have_their_vietnamese_names() -> None:
    assert "Hình thức thanh toán: Chuyển khoản" in _text(payment_method=PaymentMethod.BANK_TRANSFER)
    assert "Hình thức thanh toán: Thanh toán trực tuyến" in _text(payment_method="online")


def test_adjustment_reference() -> None:
    reference = ReceiptReference(
        kind=ReferenceKind.ADJUSTS,
        template_symbol="01BLP0-001",
        series="VA-24E",
        number=7,
        issued_on=dt.date(2024, 10, 1),
        reason="Điều chỉnh số lượng bản sao",
    )
    text = _text(reference=reference)
    assert (
        "Biên lai này điều chỉnh cho biên lai mẫu số 01BLP0-001, ký hiệu VA-24E, số 0000007 "
        "ngày 01/10/2024. Lý do: Điều chỉnh số lượng bản sao"
    ) in text
    assert "Biên lai này" not in _text()


def test_large_amounts_stay_on_one_line_in_their_column() -> None:
    # the widest figures there can be, in the narrowest columns (A5): the font shrinks instead
    big = FeeLine(
        name="Lệ phí",
        legal_basis="NQ",
        quantity=10_000,
        unit_price=99_999_999,
        amount=999_999_990_000,
    )
    small = FeeLine(name="Phí", legal_basis="NQ", quantity=1, unit_price=9_999, amount=9_999)
    receipt = dataclasses.replace(make_receipt(), lines=(big, small))
    assert receipt.total == 999_999_999_999
    pdf = render_receipt(receipt, page_size=PageSize.A5).pdf
    text = squash(" ".join(page_texts(pdf)))
    assert "10000 99.999.999 đ 999.999.990.000 đ" in text
    assert "Tổng cộng 999.999.999.999 đ" in text
    assert "Chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu" in text
    page = next(i for i, t in enumerate(page_texts(pdf)) if "Tổng cộng" in t)
    for figure in ("10000", "99.999.999 đ", "999.999.990.000 đ", "999.999.999.999 đ"):
        assert lines_holding(pdf, 0 if figure != "999.999.999.999 đ" else page, figure) == 1
