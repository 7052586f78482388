"""Page 1 of a result document as a PNG, drawn by the server with PDFium (under the process's
one PDFium lock), so the inbox shows what will be signed without a PDF viewer or a frame."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from ..db.models import UserRole
from ..service import Service
from ..signing.renderers import PDFIUM_LOCK
from ..workflows.actors import Actor, require
from ..workflows.queries import stored_pdf
from ..workflows.results import get_result

WIDTH = 640
"""Pixels across: readable on a desk, light on a phone."""


def render_first_page(pdf: bytes, *, width: int = WIDTH) -> bytes:
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            page = doc[0]
            try:
                scale = width / page.get_width()
                image = page.render(scale=scale, may_draw_forms=True).to_pil()
            finally:
                page.close()
        finally:
            doc.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def preview_png(service: Service, actor: Actor, result_id: int) -> bytes:
    require(actor, UserRole.OFFICIAL, UserRole.ADMIN, UserRole.CLERK, scope="results")
    with service.db.reading() as s:
        result = get_result(s, result_id)
        content = stored_pdf(s, result.document_id).content
    return render_first_page(content)
