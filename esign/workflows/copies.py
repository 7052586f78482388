"""A certified copy: the certification page appended to the copy's own pages.

receipts.pdf draws the certification page; here it is put after the pages of the copy the
clerk scanned (pypdfium2, already a dependency, imports the pages). PDFium writes a random
trailer /ID, so the /ID is rewritten from the content: the same copy and page give the same
bytes, as for every other document we draw.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re

import pypdfium2 as pdfium

from receipts.pdf import RenderedDocument

from ..errors import ValidationError

MAX_COPY_BYTES = 10 * 1024 * 1024
MAX_COPY_PAGES = 500
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def copy_page_count(copy_pdf: bytes) -> int:
    """The copy's page count, or a clear error for a file that is not a usable PDF."""
    if len(copy_pdf) > MAX_COPY_BYTES:
        raise ValidationError(
            f"Tệp bản sao lớn quá {MAX_COPY_BYTES // (1024 * 1024)} MB",
            f"The copy is larger than {MAX_COPY_BYTES} bytes",
        )
    try:
        doc = pdfium.PdfDocument(copy_pdf)
    except pdfium.PdfiumError as exc:
        raise ValidationError(
            "Tệp bản sao không phải PDF đọc được (hỏng hoặc có mật khẩu)",
            "The copy is not a readable PDF (broken or password-protected)",
        ) from exc
    try:
        pages = len(doc)
    finally:
        doc.close()
    if not 1 <= pages <= MAX_COPY_PAGES:
        raise ValidationError(
            f"Bản sao phải có từ 1 đến {MAX_COPY_PAGES} trang",
            f"The copy must have 1-{MAX_COPY_PAGES} pages",
        )
    return pages


def append_certification(copy_pdf: bytes, page: RenderedDocument) -> RenderedDocument:
    """The copy's pages, then the certification page; the geometry moves with it."""
    pages = copy_page_count(copy_pdf)
    doc = pdfium.PdfDocument(copy_pdf)
    cert = pdfium.PdfDocument(page.pdf)
    try:
        doc.import_pages(cert)
        out = io.BytesIO()
        doc.save(out)
    finally:
        cert.close()
        doc.close()
    merged = out.getvalue()
    digest = hashlib.sha256(copy_pdf + page.pdf).hexdigest()[:32].upper().encode()
    merged = _ID.sub(lambda m: b"/ID[<" + digest + b"><" + digest + b">]", merged, count=1)
    return dataclasses.replace(
        page,
        pdf=merged,
        page_count=pages + page.page_count,
        signatures=tuple(p.shifted(pages) for p in page.signatures),
        qr=page.qr.shifted(pages),
    )
