"""Dossiers (hồ sơ): received online or at the counter, with a due date in working days, and a
status that moves forward one step at a time: received → fee paid → processing → result signed
→ returned."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ, due_date
from receipts.catalog import Catalog, Channel
from receipts.errors import ReceiptsError
from receipts.fees import Quote, find_procedure, quote

from .. import audit
from ..db.models import Dossier, DossierStatus, UserRole
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from .actors import Actor, require
from .paging import Page, page_of

ORDER = list(DossierStatus)
_STEP_COLUMN = {
    DossierStatus.FEE_PAID: "fee_paid_at",
    DossierStatus.PROCESSING: "processing_at",
    DossierStatus.RESULT_SIGNED: "result_signed_at",
    DossierStatus.RETURNED: "returned_at",
}
QUOTE_KEYS = {"pages", "copies", "cases", "categories"}


def clean_text(value: str, *, field_vi: str, field_en: str, max_length: int) -> str:
    """NFC, trimmed, no control characters, not empty, not too long: or a clear error."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValidationError(f"{field_vi} không được để trống", f"{field_en} is required")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValidationError(
            f"{field_vi} có ký tự điều khiển không hợp lệ",
            f"{field_en} contains control characters",
        )
    if len(text) > max_length:
        raise ValidationError(
            f"{field_vi} dài quá {max_length} ký tự",
            f"{field_en} is longer than {max_length} characters",
        )
    return text


def _new_code(received_at: dt.datetime) -> str:
    local = received_at.astimezone(VIETNAM_TZ)
    return f"HS-{local:%y%m%d}-{secrets.token_hex(3).upper()}"


def receive_dossier(
    session: Session,
    actor: Actor,
    *,
    procedure_code: str,
    applicant_name: str,
    applicant_address: str,
    channel: Channel,
    catalog: Catalog,
    quote_input: dict[str, Any] | None = None,
    received_at: dt.datetime | None = None,
) -> Dossier:
    require(actor, UserRole.CLERK, scope="dossiers")
    try:
        proc = find_procedure(procedure_code, catalog=catalog)
    except ReceiptsError as exc:
        raise ValidationError(exc.message, exc.message, code=exc.code) from exc
    extra = set(quote_input or {}) - QUOTE_KEYS
    if extra:
        raise ValidationError(
            f"Thông tin tính phí không hợp lệ: {sorted(extra)}", "Unknown quote input"
        )
    received = received_at or utcnow()
    dossier = Dossier(
        code=_new_code(received),
        procedure_code=proc.code,
        applicant_name=clean_text(
            applicant_name, field_vi="Họ tên người nộp", field_en="Applicant", max_length=200
        ),
        applicant_address=clean_text(
            applicant_address, field_vi="Địa chỉ", field_en="Address", max_length=500
        ),
        channel=channel.value,
        quote_input=dict(quote_input or {}),
        status=DossierStatus.RECEIVED,
        received_at=received,
        due_date=due_date(received, proc.processing_days),
        created_by_id=actor.user_id or None,
    )
    session.add(dossier)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="dossier.receive",
        subject=f"dossier:{dossier.id}",
        details={"code": dossier.code, "procedure": proc.code, "due": dossier.due_date.isoformat()},
    )
    return dossier


def dossier_quote(dossier: Dossier, *, catalog: Catalog, on: dt.date | None = None) -> Quote:
    qi = dossier.quote_input
    try:
        return quote(
            dossier.procedure_code,
            on=on or dossier.received_at.astimezone(VIETNAM_TZ).date(),
            pages=qi.get("pages"),
            copies=qi.get("copies"),
            cases=qi.get("cases"),
            categories=qi.get("categories") or (),
            channel=Channel(dossier.channel),
            catalog=catalog,
        )
    except ReceiptsError as exc:
        raise ValidationError(exc.message, exc.message, code=exc.code) from exc


def get_dossier(session: Session, dossier_id: int, *, for_update: bool = False) -> Dossier:
    stmt = select(Dossier).where(Dossier.id == dossier_id)
    if for_update:
        stmt = stmt.with_for_update()
    dossier = session.scalar(stmt)
    if dossier is None:
        raise NotFoundError("Không có hồ sơ này", "No such dossier")
    return dossier


def list_dossiers(
    session: Session, *, status: DossierStatus | None = None, offset: int = 0, limit: int = 50
) -> Page[Dossier]:
    """Newest first."""
    stmt = select(Dossier)
    if status is not None:
        stmt = stmt.where(Dossier.status == status)
    return page_of(session, stmt, order_by=Dossier.id.desc(), offset=offset, limit=limit)


def dossiers_by_id(session: Session, ids: Iterable[int]) -> dict[int, Dossier]:
    return {d.id: d for d in session.scalars(select(Dossier).where(Dossier.id.in_(list(ids))))}


def advance(session: Session, actor: Actor | None, dossier: Dossier, to: DossierStatus) -> Dossier:
    """Move a dossier one step forward, stamping the time of the step."""
    if ORDER.index(to) != ORDER.index(dossier.status) + 1:
        raise ConflictError(
            f"Hồ sơ đang ở bước “{dossier.status.value}”, không chuyển sang “{to.value}” được",
            f"Dossier is {dossier.status.value}; cannot move to {to.value}",
        )
    dossier.status = to
    setattr(dossier, _STEP_COLUMN[to], utcnow())
    audit.append(
        session,
        actor=actor.label if actor else "system",
        action=f"dossier.{to.value}",
        subject=f"dossier:{dossier.id}",
    )
    return dossier


def mark_returned(session: Session, actor: Actor, dossier_id: int) -> Dossier:
    require(actor, UserRole.CLERK, scope="dossiers")
    return advance(
        session, actor, get_dossier(session, dossier_id, for_update=True), DossierStatus.RETURNED
    )
