"""Screenshots (poppler) and character boxes (pdfium): text stays inside its boxes.

Each document is rendered with pdftoppm to test-artifacts/receipts-pdf/ and checked:
every character box lies inside the page frame (the margins, the footer band), none straddles
a table's column rule or lies in a signature box or the QR, and the margins of the PNG are blank.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from receipts.pdf import (
    MM,
    PageSize,
    Payer,
    ReceiptReference,
    ReferenceKind,
    RenderedDocument,
    render_receipt,
    render_result,
)
from receipts.pdf.theme import Theme, receipt_theme, result_theme
from tests.utils.pdf_checks import (
    Char,
    chars,
    lines_holding,
    page_sizes,
    page_texts,
    pdftoppm,
    squash,
    vertical_rules,
)
from tests.utils.pdf_samples import TEMPLATES, long_text, make_receipt

pytestmark = pytest.mark.poppler

TOLERANCE = 0.5  # points: anti-aliasing of the glyph boxes pdfium reports
STAMP = 30.0  # glyphs taller than this are the "ĐÃ HỦY" stamp, which is meant to cross things


def _overlaps(box: tuple[float, float, float, float], rect: tuple[float, ...]) -> bool:
    left, bottom, right, top = box
    x1, y1, x2, y2 = rect
    return (
        left < x2 - TOLERANCE
        and right > x1 + TOLERANCE
        and (bottom < y2 - TOLERANCE and top > y1 + TOLERANCE)
    )


def check_layout(doc: RenderedDocument, theme: Theme, png_base: Path) -> list[Path]:
    """All the checks of the module docstring; returns the PNGs written."""
    width, height = doc.page_size.points
    assert page_sizes(doc.pdf) == [pytest.approx((width, height))] * doc.page_count
    frame = (theme.left, theme.bottom - 8 * MM, width - theme.right, height - theme.top)
    for page in range(doc.page_count):
        drawn: list[Char] = chars(doc.pdf, page)
        assert drawn, "an empty page"
        text = [c for c in drawn if c.box[3] - c.box[1] < STAMP]
        for c in drawn:
            left, bottom, right, top = c.box
            assert frame[0] - TOLERANCE <= left and right <= frame[2] + TOLERANCE, c
            assert frame[1] - TOLERANCE <= bottom and top <= frame[3] + TOLERANCE, c
        for x, y1, y2 in vertical_rules(doc.pdf, page):
            for c in text:
                middle = (c.box[1] + c.box[3]) / 2
                if y1 < middle < y2:
                    assert not (c.box[0] + TOLERANCE < x < c.box[2] - TOLERANCE), (c, x)
        empty = [p.rect.as_tuple() for p in doc.signatures if p.page_index == page]
        if doc.qr.page_index == page:
            empty.append(doc.qr.rect.as_tuple())
        for c in text:
            assert not any(_overlaps(c.box, rect) for rect in empty), c
    pngs = pdftoppm(doc.pdf, png_base, dpi=60)
    assert len(pngs) == doc.page_count
    for png in pngs:
        image = Image.open(png).convert("L")
        scale = image.width / width
        margin_l, margin_r = int(theme.left * scale) - 2, int(theme.right * scale) - 2
        strips = [
            (0, 0, margin_l, image.height),
            (image.width - margin_r, 0, image.width, image.height),
            (0, 0, image.width, int(theme.top * scale) - 2),
            (0, image.height - int(3 * MM * scale), image.width, image.height),
        ]
        for strip in strips:
            darkest = image.crop(strip).getextrema()[0]  # grayscale: (min, max) of one band
            assert isinstance(darkest, int) and darkest >= 250, (png, strip)  # blank margins
    return pngs


@pytest.mark.parametrize("size", list(PageSize))
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_result_templates(name: str, size: PageSize, artifacts: Path) -> None:
    doc = render_result(TEMPLATES[name](), page_size=size)
    check_layout(doc, result_theme(size), artifacts / f"result-{name}-{size.value}")
    text = squash(" ".join(page_texts(doc.pdf)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "PHƯỜNG VĂN AN" in text


@pytest.mark.parametrize("size", list(PageSize))
def test_receipt_with_120_character_name_and_address(size: PageSize, artifacts: Path) -> None:
    name = long_text("Nguyễn", 120)
    address = long_text("Thôn", 120)
    receipt = make_receipt(payer=Payer(name=name, address=address, dossier_code="H23.45-1"))
    doc = render_receipt(receipt, page_size=size)
    check_layout(doc, receipt_theme(size), artifacts / f"receipt-long-names-{size.value}")
    text = squash(" ".join(page_texts(doc.pdf)))
    assert name in text and address in text
    # both wrapped onto a second line inside their column
    assert lines_holding(doc.pdf, 0, name) >= 2
    assert lines_holding(doc.pdf, 0, address) >= 2


def test_a_word_longer_than_its_box_is_cut_inside_it(artifacts: Path) -> None:
    word = "Ư" + "X" * 119  # no space to break at
    doc = render_receipt(
        make_receipt(payer=Payer(name=word, address="Văn An")), page_size=PageSize.A5
    )
    check_layout(doc, receipt_theme(PageSize.A5), artifacts / "receipt-unbroken-A5")
    assert word in "".join(page_texts(doc.pdf)[0].split())
    assert lines_holding(doc.pdf, 0, word) >= 2


def test_twenty_lines_flow_onto_a_second_page(artifacts: Path) -> None:
    doc = render_receipt(make_receipt(lines=20))
    check_layout(doc, receipt_theme(PageSize.A4), artifacts / "receipt-20-lines-A4")
    assert doc.page_count == 2
    first, last = (squash(t) for t in page_texts(doc.pdf))
    assert "Tổng cộng" not in first and "Tổng cộng" in last
    assert "Nội dung thu" in first and "Nội dung thu" in last  # column titles repeat
    assert "Trang 1/2" in first and "Trang 2/2" in last
    assert "Số tiền bằng chữ" in last and "Một trăm chín mươi lăm nghìn đồng" in last
    assert doc.signature("ward").page_index == 1 and doc.qr.page_index == 1


def test_a_one_page_receipt_has_no_page_footer() -> None:
    doc = render_receipt(make_receipt())
    assert doc.page_count == 1
    assert "Trang 1/1" not in page_texts(doc.pdf)[0]


def test_a5_receipt_for_the_counter(artifacts: Path) -> None:
    doc = render_receipt(make_receipt(lines=2), page_size=PageSize.A5)
    check_layout(doc, receipt_theme(PageSize.A5), artifacts / "receipt-A5")
    assert doc.page_count == 1
    assert doc.page_size.points == pytest.approx((148 * MM, 210 * MM), abs=0.01)


def test_cancelled_receipt_carries_a_clear_mark(artifacts: Path) -> None:
    reference = ReceiptReference(
        kind=ReferenceKind.REPLACES,
        template_symbol="01BLP0-001",
        series="VA-24E",
        number=122,
        issued_on=dt.date(2024, 11, 4),
        reason="Sai tên người nộp",
    )
    doc = render_receipt(make_receipt(lines=20, cancelled=True, reference=reference))
    pngs = check_layout(doc, receipt_theme(PageSize.A4), artifacts / "receipt-cancelled-A4")
    texts = [squash(t) for t in page_texts(doc.pdf)]
    assert all("ĐÃ HỦY" in t for t in texts)
    assert (
        "Biên lai này thay thế biên lai mẫu số 01BLP0-001, ký hiệu VA-24E, số 0000122 "
        "ngày 04/11/2024. Lý do: Sai tên người nộp"
    ) in texts[0]
    for png in pngs:
        rgb = Image.open(png).convert("RGB").tobytes()
        red = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 200 and rgb[i] - rgb[i + 1] > 40)
        assert red > 2000  # the stamp is large on every page
    plain = render_receipt(make_receipt())
    assert "ĐÃ HỦY" not in page_texts(plain.pdf)[0]
