"""The geometry esign signs with: one empty box per signer, where the result says it is."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from receipts.pdf import MM, SEAL_FIELD, PageSize, RenderedDocument, render_receipt, render_result
from tests.utils.pdf_checks import render
from tests.utils.pdf_samples import TEMPLATES, make_receipt, marital


def _blank_inside(doc: RenderedDocument, page: int, rect: tuple[float, ...]) -> bool:
    dpi = 100
    image = render(doc.pdf, page, dpi=dpi)
    scale = dpi / 72
    x1, y1, x2, y2 = rect
    inset = 3  # pixels: the thin frame is drawn on the rectangle's edge
    crop = (
        int(x1 * scale) + inset,
        int(image.height - y2 * scale) + inset,
        int(x2 * scale) - inset,
        int(image.height - y1 * scale) - inset,
    )
    darkest = image.crop(crop).getextrema()[0]  # grayscale: (min, max) of one band
    return isinstance(darkest, int) and darkest >= 250


@pytest.mark.parametrize("size", list(PageSize))
def test_receipt_has_one_empty_seal_box(size: PageSize) -> None:
    doc = render_receipt(make_receipt(), page_size=size)
    (place,) = doc.signatures
    assert (place.role, place.field_name) == ("ward", SEAL_FIELD)
    assert place.title == "ĐƠN VỊ THU PHÍ, LỆ PHÍ" and place.name == "Ủy ban nhân dân phường Văn An"
    width, height = size.points
    r = place.rect
    assert 0 < r.x1 < r.x2 < width and 0 < r.y1 < r.y2 < height
    # room for esign's "Ký bởi: …, Ký ngày: …" (coordinates are rounded to 0.01 pt)
    assert r.width >= 50 * MM - 0.02 and r.height >= 18 * MM - 0.02
    assert _blank_inside(doc, place.page_index, r.as_tuple())
    assert not doc.qr.rect.contains(r) and doc.qr.rect.x2 < r.x1  # side by side


def test_result_places_follow_the_officials_in_order() -> None:
    doc = render_result(marital())
    assert [(p.role, p.field_name) for p in doc.signatures] == [
        ("judicial_officer", "Sig_judicial_officer"),
        ("chairman", "Sig_chairman"),
    ]
    judicial, chairman = doc.signatures
    assert judicial.rect.x2 < chairman.rect.x1  # left to right, in signing order
    assert chairman.title == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" and chairman.name == "Lê Thị Thu Hương"
    assert doc.signature("chairman") is chairman
    with pytest.raises(KeyError):
        doc.signature("ward")
    for place in doc.signatures:
        assert _blank_inside(doc, place.page_index, place.rect.as_tuple())


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_pyhanko_can_create_fields_at_the_rectangles(name: str) -> None:
    doc = render_result(TEMPLATES[name]())
    writer = IncrementalPdfFileWriter(io.BytesIO(doc.pdf))
    for place in doc.signatures:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                place.field_name,
                on_page=place.page_index,
                box=place.rect.as_tuple(),  # type: ignore[arg-type]  # pyHanko takes floats too
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    reader = PdfFileReader(out)
    found = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    assert found == {p.field_name for p in doc.signatures}


def test_three_officials_and_shifting_for_an_appended_page() -> None:
    from receipts.pdf import Official

    officials = (
        Official(
            role="judicial_officer", title="CÔNG CHỨC TƯ PHÁP - HỘ TỊCH", name="Trần Văn Bình"
        ),
        Official(role="vice_chairman", title="PHÓ CHỦ TỊCH", name="Đỗ Văn Cường"),
        Official(role="chairman", title="CHỦ TỊCH", name="Lê Thị Thu Hương"),
    )
    doc = render_result(marital(officials=officials))
    assert [p.field_name for p in doc.signatures] == [
        "Sig_judicial_officer",
        "Sig_vice_chairman",
        "Sig_chairman",
    ]
    xs = [p.rect.x1 for p in doc.signatures]
    assert xs == sorted(xs)
    assert doc.qr.rect.y2 < min(p.rect.y1 for p in doc.signatures)  # QR on its own row below
    moved = doc.signatures[0].shifted(3)
    assert (
        moved.page_index == doc.signatures[0].page_index + 3
        and moved.rect == doc.signatures[0].rect
    )
    assert doc.qr.shifted(2).page_index == doc.qr.page_index + 2
