"""What the public may see of a document, found by its QR token or by its file's SHA-256.

A :class:`PublicView` is built from the document's snapshot (``workflows.snapshot``) and its
current status (issued, cancelled, replaced, adjusted; awaiting signatures, signed; the links to
the documents that replace or adjust it) and from nothing else: not today's settings, not the
dossier. Only masked or public facts leave this module: names masked with
:func:`esign.seal.mask_name`, never an address, never a personal ID; a cancellation's reason is
a label of the fixed list (``workflows.reasons``), never the clerk's words.

``record_claims`` is :func:`~esign.workflows.snapshot.seal_claims` of the snapshot in the seal's
own terms (field number → value, bytes as hex), so that the page's script and the server compare
a seal with the record the same way.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from receipts.fees import FeeLine

from ..config import Settings
from ..db.models import (
    Dossier,
    Receipt,
    ReceiptStatus,
    ReceiptXml,
    ResultDocument,
    ResultStatus,
    StoredDocument,
)
from ..seal import DocumentKind, SealClaims
from ..seal.url import TOKEN
from .reasons import ReasonCode
from .scan_log import ScanQueue
from .snapshot import DocumentSnapshot, PersonRole, seal_claims
from .stored import snapshot_of_receipt, snapshot_of_result


class State(enum.StrEnum):
    VALID = "valid"
    CANCELLED = "cancelled"
    REPLACED = "replaced"
    ADJUSTED = "adjusted"
    PENDING = "pending"
    """A result document still awaiting signatures."""


UNKNOWN = "unknown"
"""Scan result of a well-formed token that matches nothing."""
MALFORMED = "malformed"
"""Scan result of a token that cannot be one of ours (its text is not stored)."""


@dataclass(frozen=True, kw_only=True)
class Link:
    token: str
    label: str


@dataclass(frozen=True, kw_only=True)
class SignatureState:
    role: str
    title: str
    signed: bool


@dataclass(frozen=True, kw_only=True)
class PublicView:
    kind: DocumentKind
    token: str
    state: State
    snapshot: DocumentSnapshot
    """Internal: what the view was built from (holds full names; never rendered as is)."""
    number_label: str
    full_label: str
    title: str
    issued_at: dt.datetime
    unit_name: str
    unit_tax_code: str
    person_masked: str
    """The person the seal names, masked: the payer of a receipt, the subject of a result."""
    document_id: int
    document_sha256: str
    file_name: str
    record_claims: dict[str, Any]
    unchecked_claims: tuple[int, ...] = ()
    applicant_masked: str | None = None
    """Results: who filed the dossier (a parent for a child's birth extract), masked."""
    template_symbol: str | None = None
    series: str | None = None
    items: tuple[FeeLine, ...] = ()
    total: int | None = None
    payment_method: str | None = None
    cancel_reason: ReasonCode | None = None
    cancelled_at: dt.datetime | None = None
    replaced_by: Link | None = None
    replaces: Link | None = None
    adjusts: Link | None = None
    adjusted_by: tuple[Link, ...] = field(default=())
    relation_reason: ReasonCode | None = None
    signed_at: dt.datetime | None = None
    signatures: tuple[SignatureState, ...] = ()

    @property
    def xml_downloadable(self) -> bool:
        """A receipt issued under NĐ 254/2026 also offers its XML original (against the seal)."""
        return self.kind is DocumentKind.RECEIPT and bool(self.snapshot.seal.xml_sha256)

    @property
    def xml_file_name(self) -> str:
        return self.file_name.removesuffix(".pdf") + ".xml"

    @property
    def downloadable(self) -> bool:
        """Only a receipt's PDF is offered, and only against its seal (see ``receipt_pdf``):
        a result or a certified copy names people in full."""
        return self.kind is DocumentKind.RECEIPT


def claims_record(claims: SealClaims) -> dict[str, Any]:
    return {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in claims.to_map().items()}


def _link(session: Session, receipt_id: int | None) -> Link | None:
    if receipt_id is None:
        return None
    other = session.get(Receipt, receipt_id)
    if other is None:
        return None
    return Link(token=other.token, label=snapshot_of_receipt(other).scheme.full_label)


def _reason(code: str | None, present: bool) -> ReasonCode | None:
    if not present:
        return None
    try:
        return ReasonCode(code) if code else ReasonCode.OTHER
    except ValueError:
        return ReasonCode.OTHER


def _common(snap: DocumentSnapshot) -> dict[str, Any]:
    return {
        "kind": snap.kind,
        "snapshot": snap,
        "number_label": snap.scheme.number_label,
        "full_label": snap.scheme.full_label,
        "title": snap.title,
        "issued_at": snap.issued_at,
        "unit_name": snap.unit.name,
        "unit_tax_code": snap.unit.tax_code,
        "person_masked": snap.sealed_person.masked,
        "record_claims": claims_record(seal_claims(snap)),
    }


def _receipt_view(session: Session, r: Receipt, sha256: str) -> PublicView:
    snap = snapshot_of_receipt(r)
    state = {
        ReceiptStatus.ISSUED: State.VALID,
        ReceiptStatus.CANCELLED: State.CANCELLED,
        ReceiptStatus.REPLACED: State.REPLACED,
        ReceiptStatus.ADJUSTED: State.ADJUSTED,
    }[r.status]
    adjusted_by: tuple[Link, ...] = ()
    if r.status is ReceiptStatus.ADJUSTED:  # adjusting is what sets this status
        adjusted_by = tuple(
            Link(token=a.token, label=snapshot_of_receipt(a).scheme.full_label)
            for a in session.scalars(
                select(Receipt).where(Receipt.adjusts_id == r.id).order_by(Receipt.id)
            )
        )
    related = r.replaces_id is not None or r.adjusts_id is not None
    return PublicView(
        **_common(snap),
        token=r.token,
        state=state,
        document_id=r.document_id,
        document_sha256=sha256,
        file_name=f"bien-lai-{snap.scheme.series}-{snap.scheme.number_label}.pdf",
        template_symbol=snap.scheme.template_symbol,
        series=snap.scheme.series,
        items=snap.lines,
        total=snap.total,
        payment_method=snap.payment_method,
        cancel_reason=_reason(r.cancel_reason_code, r.status is ReceiptStatus.CANCELLED),
        cancelled_at=r.cancelled_at,
        replaced_by=_link(session, r.replaced_by_id),
        replaces=_link(session, r.replaces_id),
        adjusts=_link(session, r.adjusts_id),
        adjusted_by=adjusted_by,
        relation_reason=_reason(r.relation_reason_code, related),
    )


def _result_view(
    session: Session, d: ResultDocument, sha256: str, settings: Settings
) -> PublicView:
    dossier = session.get(Dossier, d.dossier_id) if d.snapshot is None else None
    snap = snapshot_of_result(d, dossier=dossier, settings=settings)
    applicant = snap.person(PersonRole.APPLICANT)
    safe_number = "".join(c if c.isalnum() else "-" for c in snap.scheme.number_label)
    signed = {s.field_name: s.signed_at is not None for s in d.signatures}
    return PublicView(
        **_common(snap),
        token=d.token,
        state=State.VALID if d.status is ResultStatus.SIGNED else State.PENDING,
        document_id=d.document_id,
        document_sha256=sha256,
        file_name=f"van-ban-{safe_number}.pdf",
        applicant_masked=applicant.masked if applicant is not None else None,
        signed_at=d.signed_at,
        signatures=tuple(
            SignatureState(role=f.role, title=f.title, signed=signed.get(f.field_name, False))
            for f in snap.signatures
        ),
    )


# Built once: the statements every page view runs. A receipt (the common case) comes with its
# stored PDF's hash in one statement; a token that is no receipt costs one more.
_FIND_RECEIPT = (
    select(Receipt, StoredDocument.sha256)
    .outerjoin(StoredDocument, StoredDocument.id == Receipt.document_id)
    .where(Receipt.token == bindparam("token"))
)
_FIND_RESULT = (
    select(ResultDocument, StoredDocument.sha256)
    .outerjoin(StoredDocument, StoredDocument.id == ResultDocument.document_id)
    .where(ResultDocument.token == bindparam("token"))
)


def find_public_view(session: Session, token: str, *, settings: Settings) -> PublicView | None:
    """The public view of the document with this token, or None (also for a malformed token).

    ``settings`` is read only for a result issued before snapshots existed (``stored``)."""
    if not TOKEN.fullmatch(token):
        return None
    receipt = session.execute(_FIND_RECEIPT, {"token": token}).first()
    if receipt is not None:
        return _receipt_view(session, receipt[0], receipt[1] or "")
    result = session.execute(_FIND_RESULT, {"token": token}).first()
    if result is not None:
        return _result_view(session, result[0], result[1] or "", settings)
    return None


def scan_result(token: str, view: PublicView | None) -> str:
    if view is not None:
        return view.state.value
    return UNKNOWN if TOKEN.fullmatch(token) else MALFORMED


def scan(
    session: Session, token: str, *, settings: Settings, scans: ScanQueue
) -> PublicView | None:
    """Look the token up (a read-only session does) and queue the scan's record (time, token
    in our shape only, result; nothing else): the page never waits for a write."""
    view = find_public_view(session, token, settings=settings)
    scans.record(token=token if TOKEN.fullmatch(token) else "", result=scan_result(token, view))
    return view


def seal_mismatches(claims: SealClaims, view: PublicView) -> list[int]:
    """The seal fields whose value differs from the record (empty: the seal states the record)."""
    stated = claims_record(claims)
    skip = {str(int(k)) for k in view.unchecked_claims}
    keys = (set(stated) | set(view.record_claims)) - skip
    return sorted(int(k) for k in keys if stated.get(k) != view.record_claims.get(k))


def document_content(session: Session, document_id: int) -> bytes | None:
    """A stored PDF's bytes (for the signature summary and the checked receipt download)."""
    return session.scalar(select(StoredDocument.content).where(StoredDocument.id == document_id))


def receipt_pdf(view: PublicView, session: Session, *, seal: str) -> bytes | None:
    """A receipt's signed PDF, for whoever holds its seal (the QR's text after ``#``); None for
    a wrong seal and for every document that is not a receipt."""
    if not receipt_pdf_allowed(view, seal=seal):
        return None
    return document_content(session, view.document_id)


def receipt_xml(view: PublicView, session: Session, *, seal: str) -> bytes | None:
    """A receipt's signed XML original (TT 91/2026 Điều 18), on the same terms as its PDF: for
    whoever holds its seal; None for a wrong seal, a result, or a receipt without one (issued
    before 1 July 2026)."""
    if receipt_pdf_allowed(view, seal=seal) and view.snapshot.seal.xml_sha256:
        content = session.scalar(
            select(StoredDocument.content)
            .join(ReceiptXml, ReceiptXml.document_id == StoredDocument.id)
            .join(Receipt, Receipt.id == ReceiptXml.receipt_id)
            .where(Receipt.token == view.token, ReceiptXml.sha256 == view.snapshot.seal.xml_sha256)
        )
        return bytes(content) if content is not None else None
    return None


def receipt_pdf_allowed(view: PublicView, *, seal: str) -> bool:
    expected = view.snapshot.seal.text
    if view.kind is not DocumentKind.RECEIPT or not expected:
        return False
    return hmac.compare_digest(seal.encode("ascii", "replace"), expected.encode("ascii"))


@dataclass(frozen=True)
class RecordMatch:
    """An uploaded file's place in our records: ``current`` when it is the latest version of a
    document (an earlier revision of a result, before later signatures, is not current)."""

    current: bool
    token: str | None = None
    label: str | None = None
    state: str | None = None


def find_by_document_sha256(
    session: Session, sha256: str, *, settings: Settings
) -> RecordMatch | None:
    """The record of a file by the SHA-256 of its bytes: ours exactly, or None."""
    ids = list(session.scalars(select(StoredDocument.id).where(StoredDocument.sha256 == sha256)))
    return match_documents(session, ids, settings=settings) if ids else None


def match_documents(session: Session, ids: list[int], *, settings: Settings) -> RecordMatch:
    """The receipt or result that one of these stored documents (versions) belongs to."""
    token = session.scalar(select(Receipt.token).where(Receipt.document_id.in_(ids)))
    if token is None:
        token = session.scalar(
            select(ResultDocument.token).where(ResultDocument.document_id.in_(ids))
        )
    if token is None:  # an earlier revision of a result, before its later signatures
        return RecordMatch(current=False)
    view = find_public_view(session, token, settings=settings)
    if view is None:
        return RecordMatch(current=False)
    return RecordMatch(current=True, token=token, label=view.full_label, state=view.state.value)


__all__ = [
    "MALFORMED",
    "UNKNOWN",
    "Link",
    "PublicView",
    "RecordMatch",
    "SignatureState",
    "State",
    "claims_record",
    "document_content",
    "find_by_document_sha256",
    "find_public_view",
    "match_documents",
    "receipt_pdf",
    "scan",
    "scan_result",
    "seal_mismatches",
]
