"""The tables. Nothing issued is ever deleted: receipts are cancelled, replaced or adjusted, with
links both ways; the audit log is append-only and hash-chained (see ``esign.audit``)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native enum type) so adding a value needs no migration dance.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class UserRole(enum.StrEnum):
    CLERK = "clerk"
    OFFICIAL = "official"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole))
    official_role: Mapped[str | None] = mapped_column(String(32))
    """For officials: the role a signature field names (judicial_officer, chairman, …)."""
    title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    """For officials: the certificate they must sign with."""
    certificate_pem: Mapped[str | None] = mapped_column(Text)
    key_source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """For officials: where their key is (a PKCS#12 file or a PKCS#11 token); never a secret."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    user: Mapped[User] = relationship()


class WebSession(Base):
    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    user: Mapped[User] = relationship()


class StoredDocument(Base):
    """A signed PDF, stored with its SHA-256 (in the database, so app processes keep no files)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DocumentRevision(Base):
    """A signed revision of a stored PDF (``content[:end]``, the bytes one of its signatures
    covers), by SHA-256: how an uploaded file's signed revisions are found on record even when
    later revisions (validation data, a timestamp, a forger's update) follow them. Written with
    the document (:func:`esign.db.revisions.index_new_documents`)."""

    __tablename__ = "document_revisions"
    __table_args__ = (UniqueConstraint("document_id", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    end: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    document: Mapped[StoredDocument] = relationship()


class ReceiptSeries(Base):
    """A receipt template symbol and series that the ward is allowed to issue."""

    __tablename__ = "receipt_series"
    __table_args__ = (UniqueConstraint("template_symbol", "series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_symbol: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReceiptCounter(Base):
    """The last number taken per (template symbol, series, year): a row lock makes it gapless."""

    __tablename__ = "receipt_counters"

    template_symbol: Mapped[str] = mapped_column(String(20), primary_key=True)
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class DossierStatus(enum.StrEnum):
    RECEIVED = "received"
    FEE_PAID = "fee_paid"
    PROCESSING = "processing"
    RESULT_SIGNED = "result_signed"
    RETURNED = "returned"


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_address: Mapped[str] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(16))
    quote_input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """pages, copies, cases, categories: what the fee quote was computed from."""
    status: Mapped[DossierStatus] = mapped_column(_enum(DossierStatus))
    received_at: Mapped[dt.datetime]
    due_date: Mapped[dt.date] = mapped_column(Date)
    fee_paid_at: Mapped[dt.datetime | None]
    processing_at: Mapped[dt.datetime | None]
    result_signed_at: Mapped[dt.datetime | None]
    returned_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReceiptStatus(enum.StrEnum):
    ISSUED = "issued"
    CANCELLED = "cancelled"
    REPLACED = "replaced"
    ADJUSTED = "adjusted"


class Receipt(Base):
    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("template_symbol", "series", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    """Random (128 bits) for the QR: never a sequential id."""
    template_symbol: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime]
    unit_name: Mapped[str] = mapped_column(String(300))
    unit_tax_code: Mapped[str] = mapped_column(String(20))
    unit_address: Mapped[str] = mapped_column(String(500))
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_address: Mapped[str] = mapped_column(String(500))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    procedure_code: Mapped[str | None] = mapped_column(String(32))
    lines: Mapped[list[Any]]
    total: Mapped[int] = mapped_column(BigInteger)
    payment_method: Mapped[str] = mapped_column(String(20))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    clerk_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[ReceiptStatus] = mapped_column(_enum(ReceiptStatus))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    """The clerk's words: internal, never shown on a public page."""
    cancel_reason_code: Mapped[str | None] = mapped_column(String(32))
    """``workflows.reasons.ReasonCode``: what the public sees (NULL on old rows: "khác")."""
    cancelled_at: Mapped[dt.datetime | None]
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    adjusts_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    adjustment_kind: Mapped[str | None] = mapped_column(String(20))
    relation_reason: Mapped[str | None] = mapped_column(String(500))
    """Why this receipt replaces or adjusts the one it points to (internal, as typed)."""
    relation_reason_code: Mapped[str | None] = mapped_column(String(32))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    unsigned_sha256: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[str | None] = mapped_column(Text)
    """``workflows.snapshot.DocumentSnapshot`` as canonical JSON, written once at issue (a
    trigger refuses to change it); NULL on rows issued before migration 0003."""
    document: Mapped[StoredDocument] = relationship()


class ResultStatus(enum.StrEnum):
    AWAITING_SIGNATURES = "awaiting_signatures"
    SIGNED = "signed"
    RETURNED = "returned"
    """Sent back for correction by an official before it was complete (off every queue; the
    dossier goes back to the clerk, who drafts a new result)."""


class ResultDocument(Base):
    __tablename__ = "result_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    template: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    status: Mapped[ResultStatus] = mapped_column(_enum(ResultStatus))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    """The latest version of the PDF (each signature adds a revision)."""
    unsigned_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[dt.datetime | None]
    snapshot: Mapped[str | None] = mapped_column(Text)
    """As for receipts: written once at issue, never changed."""
    document: Mapped[StoredDocument] = relationship()
    signatures: Mapped[list[ResultSignature]] = relationship(
        order_by="ResultSignature.position", back_populates="result"
    )


class ResultSignature(Base):
    """One official's place in a result document's signing order."""

    __tablename__ = "result_signatures"
    __table_args__ = (UniqueConstraint("result_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result_documents.id"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    field_name: Mapped[str] = mapped_column(String(64))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime | None]
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[ResultDocument] = relationship(back_populates="signatures")


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    """in_flight or done."""
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One hash-chained entry: ``hash = SHA-256(canonical(seq, at, actor, action, subject,
    details, prev_hash))``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[str] = mapped_column(Text)
    """Canonical JSON, stored as the exact text that was hashed."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last sequence number and hash. Its row lock serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class ScanRecord(Base):
    """A citizen's scan of a QR: time, token and verdict, no personal data."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    token: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(20))


class ReceiptXml(Base):
    """The signed XML original of a receipt issued under NĐ 254/2026 (TT 91/2026 Điều 18),
    stored beside its PDF (which embeds the same bytes); the QR seal states its SHA-256."""

    __tablename__ = "receipt_xml"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[StoredDocument] = relationship()


class ReceiptNotice(Base):
    """A notice of an error in an issued receipt, Mẫu 04/SS-CTĐT (TT 91/2026 Điều 20): the
    payer is told, no new receipt is issued. Written once; its signed XML is stored."""

    __tablename__ = "receipt_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    error_kind: Mapped[str] = mapped_column(String(32))
    """``receipts.scheme.ErrorKind`` other than amount and tax code."""
    description: Mapped[str] = mapped_column(String(500))
    """What is wrong and what is right, as the clerk wrote it (sent to the payer and filed)."""
    notified_to: Mapped[str] = mapped_column(String(250))
    """How the payer was notified (address, e-mail, phone), as the clerk recorded it."""
    issued_at: Mapped[dt.datetime]
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    clerk_name: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    """The notice as signed XML."""
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[StoredDocument] = relationship()
