"""Notices of erroneous receipts, Mẫu 04/SS-CTĐT (Thông tư 91/2026/TT-BTC, Điều 20).

Under NĐ 254/2026 an error in the amount or in the tax code is corrected by a replacement
receipt (``receipts.replace_receipt``); any other error — the payer's name or address, the
amount in words, … — by notifying the payer and filing the notice, without a new receipt and
without touching the receipt (its snapshot is frozen). The notice is recorded here (a row of
``receipt_notices``, written once), as signed XML (``receipts.xml.build_notice_xml``, signed
with the ward's seal key like the receipt's XML original), with an audit entry. The daily
summary (01/TH-BLĐT, branch ``reports``) reads this table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ
from receipts.errors import ReceiptsError
from receipts.scheme import CorrectionAction, ErrorKind, scheme_for
from receipts.xml import XmlNotice, XmlNoticeItem, build_notice_xml, sign_notice_xml, xml_digest

from .. import audit
from ..db.models import ReceiptNotice, ReceiptStatus, StoredDocument, UserRole
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..service import Service
from .actors import Actor, require
from .dossiers import clean_text
from .receipts import get_receipt
from .snapshot import unit_profile
from .stored import snapshot_of_receipt
from .xml_original import seal_key_store, store_key


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A recorded notice, as the API lists it."""

    id: int
    receipt_id: int
    error_kind: str
    description: str
    notified_to: str
    issued_at: dt.datetime
    clerk_name: str
    sha256: str


def _view(row: ReceiptNotice) -> NoticeView:
    return NoticeView(
        id=row.id,
        receipt_id=row.receipt_id,
        error_kind=row.error_kind,
        description=row.description,
        notified_to=row.notified_to,
        issued_at=row.issued_at,
        clerk_name=row.clerk_name,
        sha256=row.sha256,
    )


def _error_kind(value: ErrorKind | str) -> ErrorKind:
    try:
        return ErrorKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in ErrorKind)
        raise ValidationError(
            f"Loại sai sót không hợp lệ (chọn một trong: {kinds})",
            f"Unknown error kind (one of: {kinds})",
        ) from None


def record_notice(
    session: Session,
    actor: Actor,
    service: Service,
    receipt_id: int,
    *,
    error: ErrorKind | str,
    description: str,
    notified_to: str,
    at: dt.datetime | None = None,
) -> NoticeView:
    """Record that the payer was notified of ``error`` in a receipt, as Mẫu 04/SS-CTĐT.

    Refused (``replacement_required``) for an error in the amount or the tax code, and
    (``notice_not_allowed``) for a receipt whose scheme corrects by adjustment (before
    1 July 2026) or that is no longer in force (cancelled or replaced)."""
    require(actor, UserRole.CLERK, scope="receipts")
    kind = _error_kind(error)
    description = clean_text(
        description, field_vi="Nội dung sai sót", field_en="Description", max_length=500
    )
    notified_to = clean_text(
        notified_to, field_vi="Người nộp được thông báo qua", field_en="Notified to", max_length=250
    )
    receipt = get_receipt(session, receipt_id, for_update=True)
    snap = snapshot_of_receipt(receipt)
    rule = scheme_for(snap.issued_on).correction_for(kind)
    if CorrectionAction.NOTICE_04_SS_CTDT not in rule.actions:
        replace = CorrectionAction.REPLACEMENT in rule.actions and (
            CorrectionAction.ADJUSTMENT not in rule.actions
        )
        how_vi = "biên lai thay thế" if replace else "hủy, thay thế hoặc điều chỉnh"
        how_en = "a replacement receipt" if replace else "cancelling, replacing or adjusting"
        raise ValidationError(
            f"Sai sót này xử lý bằng {how_vi}, không bằng thông báo Mẫu 04/SS-CTĐT "
            f"({rule.legal_basis})",
            f"This error is corrected by {how_en}, not by notice 04/SS-CTĐT ({rule.legal_basis})",
            code="replacement_required" if replace else "notice_not_allowed",
        )
    if receipt.status is not ReceiptStatus.ISSUED:
        raise ConflictError(
            f"Biên lai đang ở trạng thái “{receipt.status.value}”, không thông báo sai sót được",
            f"The receipt is {receipt.status.value}; no notice can be filed for it",
            code="notice_not_allowed",
        )
    at = at or utcnow()
    day = at.astimezone(VIETNAM_TZ).date()
    unit = unit_profile(service.settings, on=day)
    assert snap.scheme.template_symbol and snap.scheme.series
    assert isinstance(snap.scheme.number, int)
    store = seal_key_store(service)
    try:
        xml = sign_notice_xml(
            build_notice_xml(
                XmlNotice(
                    unit_name=unit.name,
                    unit_tax_code=unit.tax_code,
                    place=unit.place,
                    notice_date=day,
                    items=(
                        XmlNoticeItem(
                            template_symbol=snap.scheme.template_symbol,
                            series=snap.scheme.series,
                            number=snap.scheme.number,
                            issue_date=snap.issued_on,
                            error=kind,
                            reason=description,
                        ),
                    ),
                )
            ),
            key=store_key(store),
            certificate=store.certificate,
        )
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    digest = xml_digest(xml)
    document = StoredDocument(sha256=digest, size=len(xml), content=xml)
    session.add(document)
    session.flush()
    row = ReceiptNotice(
        receipt_id=receipt.id,
        error_kind=kind.value,
        description=description,
        notified_to=notified_to,
        issued_at=at,
        clerk_id=actor.user_id,
        clerk_name=actor.full_name,
        document_id=document.id,
        sha256=digest,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="receipt.notice",
        subject=f"receipt:{receipt.id}",
        details={"notice": row.id, "error": kind.value, "form": "04/SS-CTĐT", "sha256": digest},
    )
    return _view(row)


def list_notices(
    session: Session, *, receipt_id: int | None = None, day: dt.date | None = None
) -> list[NoticeView]:
    """Notices of one receipt, or of one Vietnam day (for the daily summary), oldest first."""
    stmt = select(ReceiptNotice).order_by(ReceiptNotice.id)
    if receipt_id is not None:
        stmt = stmt.where(ReceiptNotice.receipt_id == receipt_id)
    if day is not None:
        start = dt.datetime(day.year, day.month, day.day, tzinfo=VIETNAM_TZ)
        stmt = stmt.where(
            ReceiptNotice.issued_at >= start,
            ReceiptNotice.issued_at < start + dt.timedelta(days=1),
        )
    return [_view(row) for row in session.scalars(stmt)]


def notice_xml(session: Session, notice_id: int) -> bytes:
    row = session.get(ReceiptNotice, notice_id)
    if row is None:
        raise NotFoundError("Không có thông báo này", "No such notice")
    return bytes(row.document.content)
