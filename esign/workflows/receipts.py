"""Issuing receipts, and cancelling, replacing or adjusting them: never deleting or editing.

The number is taken, the PDF drawn and sealed, and the receipt stored in one transaction: a
rollback anywhere gives the number back, so no number exists without its signed receipt and
no signed receipt without its number.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ
from receipts.errors import ReceiptsError
from receipts.fees import FeeLine, Quote, quote, total_of
from receipts.pdf import PaymentMethod, ReferenceKind
from receipts.scheme import number_text

from .. import audit
from ..db.models import (
    Dossier,
    DossierStatus,
    Receipt,
    ReceiptStatus,
    StoredDocument,
    UserRole,
)
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..numbering import take_number
from ..seal import DocumentKind
from ..security import new_document_token
from ..service import Service
from .actors import Actor, require
from .documents import draw_and_seal_receipt
from .dossiers import advance, clean_text, dossier_quote, get_dossier
from .reasons import ReasonCode
from .scheme import adjustment_refusal, issuing_series
from .snapshot import (
    DocumentSnapshot,
    NamedPerson,
    PersonRole,
    Reference,
    Scheme,
    SealFacts,
    receipt_scheme,
    unit_profile,
)
from .stored import snapshot_of_receipt
from .xml_original import store_xml_original

RECEIPT_TITLE = "BIÊN LAI THU PHÍ, LỆ PHÍ"


class AdjustmentKind(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    INFORMATION = "information"


ADJUSTMENT_NAMES_VI = {
    AdjustmentKind.INCREASE: "điều chỉnh tăng",
    AdjustmentKind.DECREASE: "điều chỉnh giảm",
    AdjustmentKind.INFORMATION: "điều chỉnh thông tin",
}


@dataclass(frozen=True, slots=True)
class Relation:
    """What a new receipt replaces or adjusts, and why (the code public, the text internal)."""

    old: Receipt
    kind: ReferenceKind
    code: ReasonCode
    text: str
    adjustment: AdjustmentKind | None = None


@dataclass(frozen=True, slots=True)
class FeeInput:
    """What a receipt charges: a procedure's quote (with its inputs) or explicit lines."""

    procedure_code: str | None = None
    pages: int | None = None
    copies: int | None = None
    cases: int | None = None
    categories: tuple[str, ...] = ()
    channel: str = "counter"
    lines: tuple[FeeLine, ...] = ()


def stored_lines(receipt: Receipt) -> tuple[FeeLine, ...]:
    return snapshot_of_receipt(receipt).lines


def _quote_for(service: Service, fees: FeeInput, *, on: dt.date) -> Quote:
    from receipts.catalog import Channel

    assert fees.procedure_code is not None
    try:
        return quote(
            fees.procedure_code,
            on=on,
            pages=fees.pages,
            copies=fees.copies,
            cases=fees.cases,
            categories=fees.categories,
            channel=Channel(fees.channel),
            catalog=service.catalog,
        )
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    except ValueError as exc:
        raise ValidationError("Kênh nộp không hợp lệ", "Invalid channel") from exc


def issue_receipt(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    payer_name: str,
    payer_address: str,
    payment_method: PaymentMethod,
    dossier_id: int | None = None,
    fees: FeeInput | None = None,
    template_symbol: str | None = None,
    series: str | None = None,
    issued_at: dt.datetime | None = None,
    reference: Relation | None = None,
) -> Receipt:
    """Issue a receipt for a dossier's fee quote, or for a free-standing fee."""
    require(actor, UserRole.CLERK, scope="receipts")
    issued_at = issued_at or utcnow()
    local_day = issued_at.astimezone(VIETNAM_TZ).date()
    payer_name = clean_text(
        payer_name, field_vi="Họ tên người nộp", field_en="Payer", max_length=150
    )
    payer_address = clean_text(
        payer_address, field_vi="Địa chỉ người nộp", field_en="Payer address", max_length=250
    )
    dossier: Dossier | None = None
    if dossier_id is not None:
        dossier = get_dossier(session, dossier_id, for_update=True)
        if dossier.status is not DossierStatus.RECEIVED and reference is None:
            raise ConflictError(
                f"Hồ sơ {dossier.code} đã thu phí rồi", f"Dossier {dossier.code} is already paid"
            )
        lines = dossier_quote(dossier, catalog=service.catalog).lines
        procedure_code: str | None = dossier.procedure_code
    elif fees is not None and fees.lines:
        lines, procedure_code = fees.lines, fees.procedure_code
    elif fees is not None and fees.procedure_code:
        lines = _quote_for(service, fees, on=local_day).lines
        procedure_code = fees.procedure_code
    else:
        raise ValidationError(
            "Cần hồ sơ hoặc thủ tục để tính phí", "A dossier or a procedure is required"
        )
    if not lines:
        raise ValidationError(
            "Biên lai phải có ít nhất một khoản thu", "A receipt needs a fee line"
        )
    chosen = issuing_series(
        session,
        actor,
        service.settings,
        day=local_day,
        template_symbol=template_symbol,
        series=series,
        carry_over=reference is not None,
    )
    # From here on the transaction holds the series' counter row: keep it short.
    number = take_number(
        session, template_symbol=chosen.template_symbol, series=chosen.series, year=local_day.year
    )
    token = new_document_token()
    reference_printed = None
    if reference is not None:
        old = snapshot_of_receipt(reference.old)
        assert isinstance(old.scheme.number, int)
        assert old.scheme.template_symbol and old.scheme.series
        reason = reference.code.label_vi
        if reference.adjustment is not None:
            reason = f"{ADJUSTMENT_NAMES_VI[reference.adjustment]}: {reason}"
        reference_printed = Reference(
            kind=reference.kind.value,
            template_symbol=old.scheme.template_symbol,
            series=old.scheme.series,
            number=old.scheme.number,
            issued_on=old.issued_on,
            reason=reason,
        )
    try:
        draft = DocumentSnapshot(
            kind=DocumentKind.RECEIPT,
            template="receipt",
            title=RECEIPT_TITLE,
            unit=unit_profile(service.settings, on=local_day),
            scheme=Scheme(
                label=receipt_scheme(chosen.template_symbol),
                number=number,
                template_symbol=chosen.template_symbol,
                series=chosen.series,
            ),
            issued_at=issued_at,
            people=(
                NamedPerson(role=PersonRole.PAYER, name=payer_name, address=payer_address),
                NamedPerson(role=PersonRole.CLERK, name=actor.full_name),
            ),
            seal=SealFacts(pdf_sha256="", person_role=PersonRole.PAYER),
            lines=lines,
            payment_method=payment_method.value,
            reference=reference_printed,
            dossier_code=dossier.code if dossier else None,
            procedure_code=procedure_code,
        )
        sealed = draw_and_seal_receipt(service, draft, token=token)
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    snap = sealed.snapshot
    document = StoredDocument(
        sha256=sealed.signed.sha256, size=len(sealed.signed.pdf), content=sealed.signed.pdf
    )
    session.add(document)
    session.flush()
    payer = snap.sealed_person
    receipt = Receipt(
        token=token,
        template_symbol=chosen.template_symbol,
        series=chosen.series,
        year=local_day.year,
        number=number,
        issued_at=issued_at,
        unit_name=snap.unit.name,
        unit_tax_code=snap.unit.tax_code,
        unit_address=snap.unit.address,
        payer_name=payer.name,
        payer_address=payer.address or "",
        dossier_id=dossier.id if dossier else None,
        procedure_code=procedure_code,
        lines=[line.to_json() for line in snap.lines],
        total=total_of(snap.lines),
        payment_method=payment_method.value,
        clerk_id=actor.user_id,
        clerk_name=actor.full_name,
        status=ReceiptStatus.ISSUED,
        document_id=document.id,
        unsigned_sha256=sealed.unsigned_sha256,
        seal=sealed.seal,
        snapshot=snap.to_json(),
    )
    if reference is not None:
        receipt.relation_reason = reference.text
        receipt.relation_reason_code = reference.code.value
        if reference.kind is ReferenceKind.REPLACES:
            receipt.replaces_id = reference.old.id
        else:
            receipt.adjusts_id = reference.old.id
            receipt.adjustment_kind = reference.adjustment.value if reference.adjustment else None
    session.add(receipt)
    session.flush()
    if sealed.xml is not None:
        store_xml_original(session, receipt_id=receipt.id, xml=sealed.xml)
    if dossier is not None and dossier.status is DossierStatus.RECEIVED:
        advance(session, actor, dossier, DossierStatus.FEE_PAID)
    audit.append(
        session,
        actor=actor.label,
        action="receipt.issue",
        subject=f"receipt:{receipt.id}",
        details={
            "number": f"{receipt.template_symbol}/{receipt.series}/"
            f"{number_text(receipt.template_symbol, receipt.number)}",
            "total": receipt.total,
            "sha256": document.sha256,
            "level": sealed.signed.level.value,
            "tsa": sealed.signed.timestamp_authority,
        },
    )
    return receipt


def get_receipt(session: Session, receipt_id: int, *, for_update: bool = False) -> Receipt:
    stmt = select(Receipt).where(Receipt.id == receipt_id)
    if for_update:
        stmt = stmt.with_for_update()
    receipt = session.scalar(stmt)
    if receipt is None:
        raise NotFoundError("Không có biên lai này", "No such receipt")
    return receipt


def _open_for_change(
    session: Session,
    actor: Actor,
    receipt_id: int,
    *,
    reason: str,
    reason_code: ReasonCode | str | None,
    allowed: tuple[ReceiptStatus, ...],
    verb_vi: str,
    verb_en: str,
) -> tuple[Receipt, ReasonCode, str]:
    """The receipt, locked, when it may be cancelled, replaced or adjusted; and the reason (its
    public code, its internal text)."""
    require(actor, UserRole.CLERK, scope="receipts")
    code = ReasonCode.parse(reason_code)
    reason = clean_text(reason, field_vi="Lý do", field_en="Reason", max_length=500)
    receipt = get_receipt(session, receipt_id, for_update=True)
    if receipt.status not in allowed:
        raise ConflictError(
            f"Biên lai đang ở trạng thái “{receipt.status.value}”, không {verb_vi} được",
            f"The receipt is {receipt.status.value}; it cannot be {verb_en}",
        )
    return receipt, code, reason


def _successor(
    session: Session,
    actor: Actor,
    service: Service,
    old: Receipt,
    *,
    kind: ReferenceKind,
    code: ReasonCode,
    reason: str,
    adjustment: AdjustmentKind | None,
    fees: FeeInput,
    payer_name: str | None,
    payer_address: str | None,
    payment_method: PaymentMethod | None,
) -> Receipt:
    """A new receipt in the old one's series that names it and why, for the same dossier."""
    new = issue_receipt(
        session,
        actor,
        service,
        payer_name=payer_name or old.payer_name,
        payer_address=payer_address or old.payer_address,
        payment_method=payment_method or PaymentMethod(old.payment_method),
        fees=fees,
        template_symbol=old.template_symbol,
        series=old.series,
        reference=Relation(old=old, kind=kind, code=code, text=reason, adjustment=adjustment),
    )
    new.dossier_id = old.dossier_id
    return new


def cancel_receipt(
    session: Session,
    actor: Actor,
    receipt_id: int,
    *,
    reason: str,
    reason_code: ReasonCode | str | None = None,
) -> Receipt:
    """Cancel an issued receipt. ``reason_code`` (the fixed list of :class:`ReasonCode`, "khác"
    when None) is what the public page shows; ``reason`` stays internal."""
    receipt, code, reason = _open_for_change(
        session,
        actor,
        receipt_id,
        reason=reason,
        reason_code=reason_code,
        allowed=(ReceiptStatus.ISSUED,),
        verb_vi="hủy",
        verb_en="cancelled",
    )
    receipt.status = ReceiptStatus.CANCELLED
    receipt.cancel_reason = reason
    receipt.cancel_reason_code = code.value
    receipt.cancelled_at = utcnow()
    audit.append(
        session,
        actor=actor.label,
        action="receipt.cancel",
        subject=f"receipt:{receipt.id}",
        details={"reason": reason, "code": code.value},
    )
    return receipt


def replace_receipt(
    session: Session,
    actor: Actor,
    service: Service,
    receipt_id: int,
    *,
    reason: str,
    reason_code: ReasonCode | str | None = None,
    payer_name: str | None = None,
    payer_address: str | None = None,
    payment_method: PaymentMethod | None = None,
    fees: FeeInput | None = None,
) -> Receipt:
    """Issue a new receipt in place of an erroneous one; both point to each other."""
    old, code, reason = _open_for_change(
        session,
        actor,
        receipt_id,
        reason=reason,
        reason_code=reason_code,
        allowed=(ReceiptStatus.ISSUED,),
        verb_vi="thay thế",
        verb_en="replaced",
    )
    new = _successor(
        session,
        actor,
        service,
        old,
        kind=ReferenceKind.REPLACES,
        code=code,
        reason=reason,
        adjustment=None,
        fees=fees or FeeInput(procedure_code=old.procedure_code, lines=stored_lines(old)),
        payer_name=payer_name,
        payer_address=payer_address,
        payment_method=payment_method,
    )
    old.status = ReceiptStatus.REPLACED
    old.replaced_by_id = new.id
    audit.append(
        session,
        actor=actor.label,
        action="receipt.replace",
        subject=f"receipt:{old.id}",
        details={"replaced_by": new.id, "reason": reason, "code": code.value},
    )
    return new


def adjust_receipt(
    session: Session,
    actor: Actor,
    service: Service,
    receipt_id: int,
    *,
    kind: AdjustmentKind,
    reason: str,
    reason_code: ReasonCode | str | None = None,
    fees: FeeInput | None = None,
    payer_name: str | None = None,
    payer_address: str | None = None,
) -> Receipt:
    """Issue an adjustment receipt (increase, decrease, or information) for an issued one."""
    old, code, reason = _open_for_change(
        session,
        actor,
        receipt_id,
        reason=reason,
        reason_code=reason_code,
        allowed=(ReceiptStatus.ISSUED, ReceiptStatus.ADJUSTED),
        verb_vi="điều chỉnh",
        verb_en="adjusted",
    )
    refusal = adjustment_refusal(snapshot_of_receipt(old).issued_on)
    if refusal is not None:
        raise refusal
    lines: tuple[FeeLine, ...]
    if kind is AdjustmentKind.INFORMATION:
        if fees is not None and fees.lines:
            raise ValidationError(
                "Điều chỉnh thông tin không có khoản thu",
                "An information adjustment has no amounts",
            )
        lines = (
            FeeLine(
                name="Điều chỉnh thông tin biên lai số "
                f"{number_text(old.template_symbol, old.number)}",
                legal_basis="Không thay đổi số tiền",
                quantity=1,
                unit_price=0,
                amount=0,
            ),
        )
    else:
        if fees is None or not (fees.lines or fees.procedure_code):
            raise ValidationError("Cần khoản tiền điều chỉnh", "The adjusted amounts are required")
        lines = (
            fees.lines or _quote_for(service, fees, on=utcnow().astimezone(VIETNAM_TZ).date()).lines
        )
        if total_of(lines) <= 0:
            raise ValidationError(
                "Số tiền điều chỉnh phải lớn hơn 0", "The adjustment must be above 0"
            )
        if kind is AdjustmentKind.DECREASE and total_of(lines) > old.total:
            raise ValidationError(
                "Số tiền điều chỉnh giảm lớn hơn số tiền của biên lai",
                "Decrease larger than the receipt",
            )
    new = _successor(
        session,
        actor,
        service,
        old,
        kind=ReferenceKind.ADJUSTS,
        code=code,
        reason=reason,
        adjustment=kind,
        fees=FeeInput(procedure_code=old.procedure_code, lines=lines),
        payer_name=payer_name,
        payer_address=payer_address,
        payment_method=None,
    )
    old.status = ReceiptStatus.ADJUSTED
    audit.append(
        session,
        actor=actor.label,
        action="receipt.adjust",
        subject=f"receipt:{old.id}",
        details={
            "adjusted_by": new.id,
            "kind": kind.value,
            "reason": reason,
            "code": code.value,
        },
    )
    return new


def adjustments_of(session: Session, receipt: Receipt) -> list[Receipt]:
    return list(
        session.scalars(
            select(Receipt).where(Receipt.adjusts_id == receipt.id).order_by(Receipt.id)
        )
    )
