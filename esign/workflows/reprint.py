"""A paper copy of an issued receipt on the counter's printer, A4 or A5, drawn again from its
snapshot (the QR carries the same link and seal as the signed original; the signed PDF itself
is the stored one, at the size it was issued)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from receipts.pdf import PageSize, render_receipt

from ..config import Settings
from ..seal import qr_url, verification_url
from .documents import receipt_model
from .receipts import get_receipt
from .stored import snapshot_of_receipt


def print_copy(session: Session, receipt_id: int, *, settings: Settings, size: PageSize) -> bytes:
    receipt = get_receipt(session, receipt_id)
    snapshot = snapshot_of_receipt(receipt)
    link = verification_url(settings.public_url, receipt.token)
    text = qr_url(settings.public_url, receipt.token, receipt.seal) if receipt.seal else link
    return render_receipt(receipt_model(snapshot, qr_text=text), page_size=size).pdf
