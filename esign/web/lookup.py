"""What the public may see of a document, found by its QR token: receipts first, then results.

Only masked or public facts leave this module: the payer's (applicant's) name masked with
:func:`esign.seal.mask_name`, never an address. ``record_claims`` is the record in the seal's
own terms (``esign.seal.claims``: field number → value, bytes as hex) so that the page's script
and the server compare a seal with the record the same way.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from ..config import Settings
from ..db import Database
from ..db.models import (
    Dossier,
    Receipt,
    ReceiptStatus,
    ResultDocument,
    ResultStatus,
    ScanRecord,
    StoredDocument,
)
from ..db.types import utcnow
from ..seal import DocumentKind, SealClaims, mask_name
from ..seal.claims import EPOCH, Field
from ..seal.url import TOKEN


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
class FeeItem:
    name: str
    amount: int


@dataclass(frozen=True, kw_only=True)
class PublicView:
    kind: DocumentKind
    token: str
    state: State
    number_label: str
    issued_at: dt.datetime | None
    unit_name: str
    unit_tax_code: str
    person_masked: str
    document_id: int
    document_sha256: str
    file_name: str
    record_claims: dict[str, Any]
    unchecked_claims: tuple[int, ...] = ()
    """Seal fields the record cannot speak for (a result's optional symbol, series, date)."""
    title: str | None = None
    template_symbol: str | None = None
    series: str | None = None
    items: tuple[FeeItem, ...] = ()
    total: int | None = None
    payment_method: str | None = None
    cancel_reason: str | None = None
    cancelled_at: dt.datetime | None = None
    replaced_by: Link | None = None
    replaces: Link | None = None
    adjusts: Link | None = None
    adjusted_by: tuple[Link, ...] = field(default=())
    relation_reason: str | None = None


def _day_number(moment: dt.datetime) -> int:
    return (moment.astimezone(VIETNAM_TZ).date() - EPOCH).days


def _receipt_label(r: Receipt) -> str:
    return f"{r.template_symbol} · {r.series} · {r.number:07d}"


def _link(session: Session, receipt_id: int | None) -> Link | None:
    if receipt_id is None:
        return None
    other = session.get(Receipt, receipt_id)
    return None if other is None else Link(token=other.token, label=_receipt_label(other))


def _receipt_view(session: Session, r: Receipt, sha256: str) -> PublicView:
    state = {
        ReceiptStatus.ISSUED: State.VALID,
        ReceiptStatus.CANCELLED: State.CANCELLED,
        ReceiptStatus.REPLACED: State.REPLACED,
        ReceiptStatus.ADJUSTED: State.ADJUSTED,
    }[r.status]
    adjusted_by: tuple[Link, ...] = ()
    if r.status is ReceiptStatus.ADJUSTED:  # adjusting is what sets this status
        adjusted_by = tuple(
            Link(token=a.token, label=_receipt_label(a))
            for a in session.scalars(
                select(Receipt).where(Receipt.adjusts_id == r.id).order_by(Receipt.id)
            )
        )
    masked = mask_name(r.payer_name)
    claims = {
        Field.TAX_CODE: r.unit_tax_code,
        Field.KIND: int(DocumentKind.RECEIPT),
        Field.TEMPLATE_SYMBOL: r.template_symbol,
        Field.SERIES: r.series,
        Field.NUMBER: r.number,
        Field.DATE: _day_number(r.issued_at),
        Field.TOTAL: r.total,
        Field.PAYER: masked,
        Field.PDF_SHA256: r.unsigned_sha256,
    }
    return PublicView(
        kind=DocumentKind.RECEIPT,
        token=r.token,
        state=state,
        number_label=f"{r.number:07d}",
        issued_at=r.issued_at,
        unit_name=r.unit_name,
        unit_tax_code=r.unit_tax_code,
        person_masked=masked,
        document_id=r.document_id,
        document_sha256=sha256,
        file_name=f"bien-lai-{r.series}-{r.number:07d}.pdf",
        record_claims={str(int(k)): v for k, v in claims.items()},
        template_symbol=r.template_symbol,
        series=r.series,
        items=tuple(FeeItem(name=str(x["name"]), amount=int(x["amount"])) for x in r.lines),
        total=r.total,
        payment_method=r.payment_method,
        cancel_reason=r.cancel_reason,
        cancelled_at=r.cancelled_at,
        replaced_by=_link(session, r.replaced_by_id),
        replaces=_link(session, r.replaces_id),
        adjusts=_link(session, r.adjusts_id),
        adjusted_by=adjusted_by,
        relation_reason=r.relation_reason,
    )


def _result_view(
    session: Session, d: ResultDocument, sha256: str, settings: Settings
) -> PublicView:
    dossier = session.get(Dossier, d.dossier_id)
    masked = mask_name(dossier.applicant_name) if dossier is not None else "—"
    title = d.data.get("title") if isinstance(d.data, Mapping) else None
    claims = {
        Field.TAX_CODE: settings.unit_tax_code,
        Field.KIND: int(DocumentKind.RESULT),
        Field.NUMBER: d.number,
        Field.PAYER: masked,
        Field.PDF_SHA256: d.unsigned_sha256,
    }
    safe_number = "".join(c if c.isalnum() else "-" for c in d.number)
    return PublicView(
        kind=DocumentKind.RESULT,
        token=d.token,
        state=State.VALID if d.status is ResultStatus.SIGNED else State.PENDING,
        number_label=d.number,
        issued_at=d.signed_at or d.created_at,
        unit_name=settings.unit_name,
        unit_tax_code=settings.unit_tax_code,
        person_masked=masked,
        document_id=d.document_id,
        document_sha256=sha256,
        file_name=f"van-ban-{safe_number}.pdf",
        record_claims={str(int(k)): v for k, v in claims.items()},
        unchecked_claims=(Field.TEMPLATE_SYMBOL, Field.SERIES, Field.DATE),
        title=title if isinstance(title, str) else None,
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
_SCAN = insert(cast(Table, ScanRecord.__table__))  # Core: no ORM unit of work per scan


def find_view(session: Session, token: str, settings: Settings) -> PublicView | None:
    """The public view of the document with this token, or None (also for a malformed token)."""
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


def scan(db: Database, token: str, settings: Settings) -> PublicView | None:
    """Look the token up and record the scan (time, token in our shape only, result; nothing
    else), in one transaction: a page view's whole database cost."""
    with db.transaction() as session:
        view = find_view(session, token, settings)
        row = {
            "at": utcnow(),
            "token": token if TOKEN.fullmatch(token) else "",
            "result": scan_result(token, view),
        }
        session.execute(_SCAN, row)
    return view


def seal_mismatches(claims: SealClaims, view: PublicView) -> list[int]:
    """The seal fields whose value differs from the record (empty: the seal states the record)."""
    stated = {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in claims.to_map().items()}
    skip = {str(int(k)) for k in view.unchecked_claims}
    keys = (set(stated) | set(view.record_claims)) - skip
    return sorted(int(k) for k in keys if stated.get(k) != view.record_claims.get(k))
