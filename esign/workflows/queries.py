"""What the faces read about receipts, results and stored PDFs, besides the workflows' own
getters (``receipts.get_receipt``, ``results.get_result``): lists with filters, today's
receipts, a stored PDF. Read-only; each takes the caller's session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from ..db.models import Receipt, ReceiptStatus, ResultDocument, ResultStatus, StoredDocument
from ..errors import NotFoundError
from .paging import Page, page_of


@dataclass(frozen=True, slots=True)
class StoredPdf:
    content: bytes
    sha256: str


def stored_pdf(session: Session, document_id: int) -> StoredPdf:
    doc = session.get(StoredDocument, document_id)
    if doc is None:
        raise NotFoundError("Không có tệp PDF của văn bản này", "No PDF for this document")
    return StoredPdf(content=doc.content, sha256=doc.sha256)


def pdf_sha256s(session: Session, document_ids: Iterable[int]) -> dict[int, str]:
    """The SHA-256 of each stored PDF, without loading the PDFs."""
    rows = session.execute(
        select(StoredDocument.id, StoredDocument.sha256).where(
            StoredDocument.id.in_(list(document_ids))
        )
    ).all()
    return {row.id: row.sha256 for row in rows}


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    status: ReceiptStatus | None = None
    series: str | None = None
    payer: str | None = None
    """A part of the payer's name."""
    issued_from: dt.date | None = None
    """Vietnam days, inclusive."""
    issued_to: dt.date | None = None


def _vietnam_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), VIETNAM_TZ)


def list_receipts(
    session: Session, filters: ReceiptFilter, *, offset: int = 0, limit: int = 50
) -> Page[Receipt]:
    """Newest first."""
    stmt = select(Receipt)
    if filters.status is not None:
        stmt = stmt.where(Receipt.status == filters.status)
    if filters.series:
        stmt = stmt.where(Receipt.series == filters.series)
    if filters.payer:
        stmt = stmt.where(Receipt.payer_name.contains(filters.payer))
    if filters.issued_from:
        stmt = stmt.where(Receipt.issued_at >= _vietnam_midnight(filters.issued_from))
    if filters.issued_to:
        end = _vietnam_midnight(filters.issued_to + dt.timedelta(days=1))
        stmt = stmt.where(Receipt.issued_at < end)
    return page_of(session, stmt, order_by=Receipt.id.desc(), offset=offset, limit=limit)


def receipts_issued_since(session: Session, start: dt.datetime, *, limit: int) -> list[Receipt]:
    """Newest first (the clerk's list of the day)."""
    return list(
        session.scalars(
            select(Receipt)
            .where(Receipt.issued_at >= start)
            .order_by(Receipt.id.desc())
            .limit(limit)
        )
    )


def list_results(
    session: Session, *, status: ResultStatus | None = None, offset: int = 0, limit: int = 50
) -> Page[ResultDocument]:
    """Newest first."""
    stmt = select(ResultDocument)
    if status is not None:
        stmt = stmt.where(ResultDocument.status == status)
    return page_of(session, stmt, order_by=ResultDocument.id.desc(), offset=offset, limit=limit)


def result_numbers(session: Session, result_ids: Iterable[int]) -> dict[int, str]:
    rows = session.execute(
        select(ResultDocument.id, ResultDocument.number).where(
            ResultDocument.id.in_(list(result_ids))
        )
    ).all()
    return {row.id: row.number for row in rows}
