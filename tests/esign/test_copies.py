from __future__ import annotations

import datetime as dt
import io

import pypdfium2
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from esign.errors import ValidationError
from esign.signing.sign import prepare_approval_fields
from esign.workflows.copies import append_certification, copy_page_count
from receipts.pdf import Issuer, Official, render_result
from receipts.pdf.templates import copy_certification
from tests.esign.signing.conftest import simple_pdf


def _page() -> object:
    return render_result(
        copy_certification(
            issuer=Issuer(lines=("UBND THÀNH PHỐ CHÍ LINH", "UBND PHƯỜNG VĂN AN"), place="Văn An"),
            certification_number=7,
            book_number="01/2026-SCT/BS",
            issued_at=dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC),
            document_name="Bằng tốt nghiệp",
            copy_pages=3,
            copies=1,
            officials=(Official(role="chairman", title="CHỦ TỊCH", name="Trần Văn Minh"),),
            qr_text="https://vanan.example.vn/v/AbCdEfGhIjKlMnOpQrStUv",
        )
    )


def test_appended_after_the_copy_deterministically_with_the_field_on_the_last_page() -> None:
    copy = simple_pdf("BẢN SAO", pages=3)
    page = _page()
    merged = append_certification(copy, page)  # type: ignore[arg-type]
    again = append_certification(copy, page)  # type: ignore[arg-type]
    assert merged.pdf == again.pdf  # PDFium's random /ID is replaced by one from the content
    assert merged.page_count == 4 and len(pypdfium2.PdfDocument(merged.pdf)) == 4
    (place,) = merged.signatures
    assert place.page_index == 3 and merged.qr.page_index == 3
    prepared = prepare_approval_fields(
        merged.pdf,
        [place],
    )
    reader = PdfFileReader(io.BytesIO(prepared))
    field = reader.root["/AcroForm"]["/Fields"][0]
    kids = reader.root["/Pages"]["/Kids"]
    assert field.raw_get("/P").idnum == kids.raw_get(3).idnum


@pytest.mark.parametrize("bad", [b"", b"not a pdf", simple_pdf()[:200]])
def test_a_copy_that_is_not_a_pdf_is_refused(bad: bytes) -> None:
    with pytest.raises(ValidationError):
        copy_page_count(bad)


def test_the_copy_is_always_rebuilt_and_what_it_carried_is_kept() -> None:
    from esign.signing.sanitize import find_active_content
    from esign.workflows.copies import sanitize_copy
    from tests.esign.signing.active_pdfs import ACTIVE
    from tests.utils.pdf_checks import page_texts

    for name in ("js_open_action", "text_field", "file_attachment", "second_revision"):
        supplied, kinds = ACTIVE[name][0](), ACTIVE[name][1]
        copy = sanitize_copy(supplied)
        assert {f.kind for f in copy.removed} == kinds and copy.page_count == 2
        assert copy.warning is not None and copy.warning[0].startswith("Đã loại bỏ")
        merged = append_certification(supplied, _page())  # type: ignore[arg-type]
        assert merged.page_count == 3
        assert [f.kind for f in find_active_content(merged.pdf)] == []
        # The supplied pages are pictures now; the certification page (ours) keeps its text.
        texts = page_texts(merged.pdf)
        assert texts[0].strip() == "" and texts[1].strip() == "" and texts[2].strip()
        assert merged.pdf == append_certification(copy, _page()).pdf  # type: ignore[arg-type]
    plain = sanitize_copy(simple_pdf("BẢN SAO", pages=2))
    assert plain.removed == () and plain.warning is None
