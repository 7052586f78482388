"""The three templates print what their procedure needs; a new one needs no engine change."""

from __future__ import annotations

import datetime as dt

import pytest

from receipts.errors import DocumentError
from receipts.pdf import Field, Passage, ResultDocument, render_result
from receipts.pdf.templates import date_in_words
from tests.utils.pdf_checks import page_texts, squash
from tests.utils.pdf_samples import (
    CHAIRMAN,
    ISSUED_AT,
    ISSUER,
    LONGEST_QR,
    birth,
    certification,
    marital,
)


def _text(doc: ResultDocument) -> str:
    return squash(" ".join(page_texts(render_result(doc).pdf)))


def test_marital_status_confirmation() -> None:
    text = _text(marital())
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG VĂN AN",
        "Số: 125/UBND-XNTTHN",
        "Văn An, ngày 05 tháng 11 năm 2024",
        "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN XÁC NHẬN:",
        "Họ, chữ đệm, tên: Phạm Quốc Việt",
        "Ngày, tháng, năm sinh: 05/03/1996",
        "Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai",
        "có giá trị sử dụng trong thời hạn 6 tháng",
        "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
        "Lê Thị Thu Hương",
    ):
        assert expected in text


def test_birth_registration_extract() -> None:
    text = _text(birth())
    for expected in (
        "TRÍCH LỤC KHAI SINH",
        "(Bản sao)",
        "Phạm Ngọc Ánh",
        "15/10/2024",
        "Ngày mười lăm tháng mười năm hai nghìn không trăm hai mươi tư",
        "Họ, chữ đệm, tên người mẹ: Đỗ Thị Hằng",
        "Năm sinh 1998, dân tộc Kinh, quốc tịch Việt Nam",
        "Họ, chữ đệm, tên người cha: Phạm Quốc Việt",
        "Ngày, tháng, năm đăng ký: 05/11/2024",
    ):
        assert expected in text


def test_copy_certification_is_one_page_to_append() -> None:
    doc = certification()
    rendered = render_result(doc)
    assert rendered.page_count == 1
    text = _text(doc)
    for expected in (
        "CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
        "Chứng thực bản sao này đúng với bản chính.",
        "Số chứng thực: 1254",
        "Quyển số: 01/2024-SCT/BS",
        "Số trang của bản sao: 2",
        "Số: 1254, quyển số 01/2024-SCT/BS",
    ):
        assert expected in text
    with pytest.raises(DocumentError):
        certification(copy_pages=0)


def test_date_in_words() -> None:
    assert date_in_words(dt.date(2024, 3, 5)) == (
        "Ngày mùng năm tháng ba năm hai nghìn không trăm hai mươi tư"
    )
    assert date_in_words(dt.date(2001, 12, 21)) == (
        "Ngày hai mươi mốt tháng mười hai năm hai nghìn không trăm linh một"
    )
    assert date_in_words(dt.date(1999, 1, 10)).startswith("Ngày mùng mười tháng một năm một nghìn")


def test_a_new_kind_of_document_is_just_data() -> None:
    # e.g. a death-registration extract: built here, drawn by the same engine
    doc = ResultDocument(
        kind="death_extract",
        title="TRÍCH LỤC KHAI TỬ",
        issuer=ISSUER,
        number="12/TLKT",
        issued_at=ISSUED_AT,
        body=(
            Field(label="Họ, chữ đệm, tên người đã chết", value="Vũ Văn Ất"),
            Passage(text="Nơi chết: Trạm y tế phường Văn An."),
        ),
        officials=(CHAIRMAN,),
        qr_text=LONGEST_QR,
    )
    text = _text(doc)
    assert "TRÍCH LỤC KHAI TỬ" in text and "Vũ Văn Ất" in text
    assert render_result(doc).signatures[0].field_name == "Sig_chairman"
