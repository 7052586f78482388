"""PDF documents of the ward: e-receipts and procedure results, with a QR code, unsigned.

This package draws; it does not sign (esign does) and knows nothing of a database.

Receipts::

    from receipts.pdf import (CollectingUnit, FeeLine, Payer, PaymentMethod, Receipt,
                              ReceiptReference, ReferenceKind, PageSize, render_receipt)

    doc = render_receipt(receipt, page_size=PageSize.A4)      # or PageSize.A5 (counters)
    doc.pdf                          # bytes of the unsigned PDF
    place = doc.signature("ward")    # the seal's box: field "Seal"
    place.page_index, place.rect.as_tuple()    # 0-based page, (x1, y1, x2, y2) in points
    doc.qr.page_index, doc.qr.rect   # the printed QR symbol (quiet zone kept blank around it)

Result documents are built by templates (:mod:`receipts.pdf.templates`) and drawn by one
function::

    from receipts.pdf.templates import marital_status_confirmation
    doc = render_result(marital_status_confirmation(issuer=..., officials=(judicial, chairman),
                                                    ...))
    doc.signature("chairman").field_name  # "Sig_chairman"; one place per official, in order

``copy_certification`` renders only the certification page; append it after the copy's pages
and shift its geometry with ``place.shifted(copy_page_count)`` / ``doc.qr.shifted(...)``.

Contracts:

- Models are frozen and check themselves when built: texts are NFC, stripped, free of control
  and format characters and within :class:`Limit`; money is int đồng ≥ 0; each fee line's amount
  is quantity × unit price (an exempt line, with a reason, is 0); the total is their sum.
  Violations raise :class:`~receipts.errors.DocumentError` (``.code``, Vietnamese ``.message``).
- ``render_*`` check, before drawing, that every character has a glyph and that the QR text fits
  the printed symbol (modules ≥ 0.4 mm at ≥ 30 mm wide, level M or higher; the seal's digits go
  in a numeric segment, 10 bits per 3, the rest in bytes); then long texts wrap
  inside their boxes and tables flow onto more pages, the total and the signatures on the last.
- The boxes in ``signatures`` are left empty (a thin grey frame, the title above, the name
  below) for esign's signature fields and stamps. Coordinates: PDF points, origin bottom-left.
- Same input, same bytes: no clock is read; the PDF dates are ``issued_at`` and the trailer /ID
  is a digest of the document's identity (``document_id``) and content.
- Times print in Vietnam time (UTC+7); ``issued_at`` must be timezone-aware.
"""

from typing import TYPE_CHECKING, Any

from ..fees import FeeLine
from ..text import Limit
from .geometry import MM, PageSize, QrPlace, Rect, RenderedDocument, SignaturePlace

if TYPE_CHECKING:
    from .qr import QrLevel
    from .receipt import SEAL_FIELD, SEAL_ROLE, render_receipt
    from .receipt_models import (
        CollectingUnit,
        Payer,
        PaymentMethod,
        Receipt,
        ReceiptReference,
        ReferenceKind,
    )
    from .result import render_result
    from .result_models import Field, Issuer, Official, Passage, ResultDocument

# The drawing modules (reportlab's canvas, fonts, qrcode) load on first use of one of their
# names: importing the geometry (the settings name a PageSize) costs no drawing code, so a
# command that draws nothing starts fast.
_LAZY = {
    "QrLevel": ".qr",
    "SEAL_FIELD": ".receipt",
    "SEAL_ROLE": ".receipt",
    "render_receipt": ".receipt",
    "CollectingUnit": ".receipt_models",
    "Payer": ".receipt_models",
    "PaymentMethod": ".receipt_models",
    "Receipt": ".receipt_models",
    "ReceiptReference": ".receipt_models",
    "ReferenceKind": ".receipt_models",
    "render_result": ".result",
    "Field": ".result_models",
    "Issuer": ".result_models",
    "Official": ".result_models",
    "Passage": ".result_models",
    "ResultDocument": ".result_models",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MM",
    "SEAL_FIELD",
    "SEAL_ROLE",
    "CollectingUnit",
    "FeeLine",
    "Field",
    "Issuer",
    "Limit",
    "Official",
    "PageSize",
    "Passage",
    "Payer",
    "PaymentMethod",
    "QrLevel",
    "QrPlace",
    "Receipt",
    "ReceiptReference",
    "Rect",
    "ReferenceKind",
    "RenderedDocument",
    "ResultDocument",
    "SignaturePlace",
    "render_receipt",
    "render_result",
]
