"""The tables of reporting to the tax authority, paper receipts in stock and the
acknowledgement of unverified law (migration 0007). Kept beside ``models.py`` (same ``Base``)
so the ledger's tables stay in one file and these in another."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base
from .types import utcnow


class TaxSubmission(Base):
    """One report queued for the tax authority (the outbox): its signed XML and its workbook,
    and where it stands (``queued``, ``sent``, ``failed``); each attempt is a
    :class:`TaxSubmissionEvent`."""

    __tablename__ = "tax_submissions"
    __table_args__ = (UniqueConstraint("kind", "period", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``summary`` (01/TH-BLĐT), ``registration`` (01/ĐKTĐ-CTĐT), ``notice`` (04/SS-CTĐT)."""
    period: Mapped[dt.date] = mapped_column(Date)
    """The Vietnam day the report is about (a summary's day; the day made for the others)."""
    sequence: Mapped[int] = mapped_column(Integer)
    """1 for the first report of its kind and period, 2.. for supplements."""
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str] = mapped_column(String(64))
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(60))
    sent_ref: Mapped[str | None] = mapped_column(String(500))
    """What the sender answered: the folder's file name, or the authority's message id."""
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class TaxSubmissionEvent(Base):
    __tablename__ = "tax_submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("tax_submissions.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16))
    """``queued``, ``sent``, ``failed``, ``retried``."""
    error: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))


class PaperStock(Base):
    """A range of pre-printed paper receipts the ward still holds (NĐ 254 Điều 44.2)."""

    __tablename__ = "paper_receipt_stock"
    __table_args__ = (UniqueConstraint("template_symbol", "series", "from_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_symbol: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(20))
    from_number: Mapped[int] = mapped_column(Integer)
    to_number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaperUse(Base):
    """One paper receipt written out for a payment (allowed until 31/12/2026)."""

    __tablename__ = "paper_receipt_uses"
    __table_args__ = (UniqueConstraint("stock_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("paper_receipt_stock.id"))
    number: Mapped[int] = mapped_column(Integer)
    used_on: Mapped[dt.date] = mapped_column(Date)
    payer_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaperDestruction(Base):
    """The destruction of unused paper receipts (Mẫu 02/HUY-HĐBLG, TT 91 Điều 16), from
    1/1/2027."""

    __tablename__ = "paper_receipt_destructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("paper_receipt_stock.id"))
    from_number: Mapped[int] = mapped_column(Integer)
    to_number: Mapped[int] = mapped_column(Integer)
    destroyed_on: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(200))
    """The destruction decision (số, ngày) the notice cites."""
    method: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LawAcknowledgement(Base):
    """An administrator acknowledged the list of unverified law with this fingerprint."""

    __tablename__ = "law_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    items: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    acknowledged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
