"""The three templates print what their procedure needs; a new one needs no engine change."""

from __future__ import annotations

import datetime as dt

import pytest

from receipts.errors import DocumentError
from receipts.pdf import Field, Issuer, Passage, ResultDocument, render_result
from receipts.pdf.templates import date_in_words, date_line, month_in_words, ward_signer
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


# ------------------------------------------------------------------ wording (issue 15)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # NĐ 30/2020/NĐ-CP Phụ lục I: a leading zero only for days < 10 and months 1 and 2.
        (dt.date(2026, 4, 5), "Chu Văn An, ngày 05 tháng 4 năm 2026"),
        (dt.date(2026, 1, 15), "Chu Văn An, ngày 15 tháng 01 năm 2026"),
        (dt.date(2026, 2, 9), "Chu Văn An, ngày 09 tháng 02 năm 2026"),
        (dt.date(2026, 3, 10), "Chu Văn An, ngày 10 tháng 3 năm 2026"),
        (dt.date(2026, 12, 2), "Chu Văn An, ngày 02 tháng 12 năm 2026"),
        (dt.date(2027, 11, 30), "Chu Văn An, ngày 30 tháng 11 năm 2027"),
    ],
)
def test_date_line_per_decree_30(day: dt.date, expected: str) -> None:
    assert date_line("Chu Văn An", day) == expected


def test_every_month_in_words() -> None:
    months = [month_in_words(m) for m in range(1, 13)]
    assert months[3] == "tư" and "bốn" not in months  # "tháng tư", never "tháng bốn"
    assert months == [
        "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một",
        "mười hai",
    ]  # fmt: skip
    assert "tháng tư" in date_in_words(dt.date(2026, 4, 14))
    assert date_in_words(dt.date(2026, 4, 14)).startswith("Ngày mười bốn tháng tư")


def test_the_rendered_date_line_has_no_zero_before_april() -> None:
    issued = dt.datetime(2026, 4, 7, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    doc = marital(
        issued_at=issued,
        issuer=Issuer(lines=("ỦY BAN NHÂN DÂN", "PHƯỜNG CHU VĂN AN"), place="Chu Văn An"),
    )
    text = _text(doc)
    assert "Chu Văn An, ngày 07 tháng 4 năm 2026" in text
    assert "tháng 04" not in text


@pytest.mark.parametrize(
    ("deputy", "heading"),
    [
        (False, "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"),
        (True, "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH"),
    ],
)
def test_signing_block_tm_and_kt(deputy: bool, heading: str) -> None:
    # NĐ 30/2020: TM. for the collective body, KT. when the vice-chairman signs instead.
    official = ward_signer(name="Lê Thị Thu Hà", deputy=deputy)
    assert official.role == "chairman" and official.field_name == "Sig_chairman"
    text = _text(birth(officials=(official,)))
    assert heading in text and "Lê Thị Thu Hà" in text
    if not deputy:
        assert "KT." not in text and "PHÓ CHỦ TỊCH" not in text


def test_the_extract_prints_its_registration_number_and_book() -> None:
    text = _text(birth(registration_number="125", book_number="01/2026"))
    assert "Số đăng ký: 125" in text and "Quyển số: 01/2026" in text
    assert "Quyển số" not in _text(birth())
