"""A certified copy: the certification page appended to the copy's own pages.

receipts.pdf draws the certification page; here it is put after the pages of the copy the
clerk scanned (pypdfium2, already a dependency, imports the pages). PDFium writes a random
trailer /ID, so the /ID is rewritten from the content: the same copy and page give the same
bytes, as for every other document we draw.

The copy is a PDF someone else made, and an official signs it: it is ALWAYS rebuilt from
pictures of its pages first (:func:`esign.signing.sanitize.sanitize`), so no script, form,
annotation, attachment, extra revision or missing object of the supplied file reaches the
signed document; what it carried is kept in :class:`SanitizedCopy` to warn the clerk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re

import pypdfium2 as pdfium

from receipts.pdf import RenderedDocument

from ..errors import ValidationError
from ..signing.sanitize import (
    PDFIUM_LOCK,
    ActiveContent,
    find_active_content,
    removed_summary,
    sanitize,
)

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
    with PDFIUM_LOCK:
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


@dataclasses.dataclass(frozen=True, slots=True)
class SanitizedCopy:
    """The supplied copy rebuilt from pictures of its pages, and what the rebuild removed."""

    pdf: bytes = dataclasses.field(repr=False)
    page_count: int
    supplied_sha256: str
    removed: tuple[ActiveContent, ...]

    @property
    def warning(self) -> tuple[str, str] | None:
        """(Vietnamese, English) for the clerk, or None when the file carried nothing."""
        return removed_summary(self.removed) if self.removed else None


def sanitize_copy(copy_pdf: bytes) -> SanitizedCopy:
    """Check the supplied copy (size, pages, readable structure) and rebuild it."""
    pages = copy_page_count(copy_pdf)
    removed = find_active_content(copy_pdf)  # UnreadablePdfError (422) for a broken structure
    clean = sanitize(copy_pdf)
    return SanitizedCopy(
        pdf=clean,
        page_count=pages,
        supplied_sha256=hashlib.sha256(copy_pdf).hexdigest(),
        removed=removed,
    )


def append_certification(copy: SanitizedCopy | bytes, page: RenderedDocument) -> RenderedDocument:
    """The copy's pages (sanitised here when given as bytes), then the certification page;
    the geometry moves with it."""
    if not isinstance(copy, SanitizedCopy):
        copy = sanitize_copy(copy)
    copy_pdf, pages = copy.pdf, copy.page_count
    with PDFIUM_LOCK:
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
