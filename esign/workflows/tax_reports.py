"""The reports to the tax authority, built from the ledger, signed by the ward and queued.

**Mẫu 01/TH-BLĐT** (NĐ 254/2026 Điều 29.3.b; TT 91/2026 Điều 4.6.d), sent "trong ngày lập biên
lai". For a Vietnam day D (UTC+7) its rows are, in order:

1. every receipt issued on D (by issue time, then id), with ``TThai`` 3 if it replaces a
   receipt, 2 if it adjusts one, 1 if it was cancelled, else 0; its status when the summary is
   made; its related receipts (the one it replaces or adjusts, the one that replaced it, those
   that adjust it);
2. every receipt issued before D and cancelled on D (``TThai`` 1), so a cancellation reaches
   the authority on the day it happens. A receipt of an earlier day replaced on D is named by
   its replacement's row (1).

The day's correction notices (04/SS-CTĐT) follow the rows. Every fact of a row that the
receipt printed (symbols, number, date, payer, fee names, amount) comes from the receipt's
snapshot (:func:`esign.workflows.stored.snapshot_of_receipt`); status and links from the
ledger. The summary is signed with the ward's seal key and queued in the outbox
(:mod:`.outbox`); :func:`queue_due_summaries` queues every past day that has activity and no
summary yet ("at the end of the day": ``esign tax send`` runs it first, from cron).

**Mẫu 04/SS-CTĐT** (TT 91 Điều 20): each notice recorded by ``workflows.notices`` is queued
as it was signed then (:func:`queue_pending_notices`), and listed in its day's summary.

**Mẫu 01/ĐKTĐ-CTĐT** (TT 91 Điều 17): the unit, the symbols in use, the seal certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ
from receipts.errors import ReceiptsError
from receipts.xlsx import notice_workbook, registration_workbook, summary_workbook
from receipts.xml.tax import build_registration_xml, build_summary_xml, sign_tax_xml
from receipts.xml.tax_model import (
    CertificateEntry,
    DailySummary,
    NoticeReport,
    NoticeRow,
    ReceiptRef,
    Registration,
    Related,
    RowState,
    SummaryRow,
    TaxUnit,
)

from ..db.models import Receipt, ReceiptNotice, ReceiptSeries, ReceiptStatus
from ..db.tax_models import TaxSubmission
from ..db.types import utcnow
from ..errors import ValidationError
from ..service import Service
from . import outbox
from .actors import Actor
from .snapshot import unit_profile
from .stored import snapshot_of_receipt
from .xml_original import seal_certificate as seal_certificate
from .xml_original import seal_key_store, store_key

NoticeSource = Callable[[Session, dt.date], Sequence[NoticeRow]]
"""The 04/SS-CTĐT notices dated on a day."""


def notices_of_day(session: Session, day: dt.date) -> Sequence[NoticeRow]:
    """The notices 04/SS-CTĐT recorded on ``day`` (Vietnam), oldest first, with the receipt
    each names (from its snapshot)."""
    start, end = vietnam_day_bounds(day)
    rows = session.scalars(
        select(ReceiptNotice)
        .where(ReceiptNotice.issued_at >= start, ReceiptNotice.issued_at < end)
        .order_by(ReceiptNotice.id)
    ).all()
    return [_notice_row(session, n) for n in rows]


def _notice_row(session: Session, n: ReceiptNotice) -> NoticeRow:
    return NoticeRow(
        notice_number=str(n.id),
        notice_date=n.issued_at.astimezone(VIETNAM_TZ).date(),
        receipt=_ref(session.get_one(Receipt, n.receipt_id)),
        reason=f"{n.error_kind}: {n.description}",
    )


def vietnam_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM_TZ).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def vietnam_today(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(VIETNAM_TZ).date()


def _ref(r: Receipt) -> ReceiptRef:
    snap = snapshot_of_receipt(r)
    assert isinstance(snap.scheme.number, int)
    return ReceiptRef(
        template_symbol=snap.scheme.template_symbol or r.template_symbol,
        series=snap.scheme.series or r.series,
        number=snap.scheme.number,
        issued_on=snap.issued_on,
    )


def _related(session: Session, r: Receipt) -> tuple[Related, ...]:
    out: list[Related] = []
    if r.replaces_id is not None:
        out.append(
            Related(relation="replaces", receipt=_ref(session.get_one(Receipt, r.replaces_id)))
        )
    if r.adjusts_id is not None:
        out.append(
            Related(relation="adjusts", receipt=_ref(session.get_one(Receipt, r.adjusts_id)))
        )
    if r.replaced_by_id is not None:
        new = session.get_one(Receipt, r.replaced_by_id)
        out.append(Related(relation="replaced_by", receipt=_ref(new)))
    for adj in session.scalars(
        select(Receipt).where(Receipt.adjusts_id == r.id).order_by(Receipt.id)
    ).all():
        out.append(Related(relation="adjusted_by", receipt=_ref(adj)))
    return tuple(out[:2])  # the form has room for two related receipts per row


def _row(session: Session, r: Receipt, *, cancelled_later: bool = False) -> SummaryRow:
    snap = snapshot_of_receipt(r)
    if r.replaces_id is not None:
        state = RowState.REPLACEMENT
    elif r.adjusts_id is not None:
        state = RowState.ADJUSTMENT
    elif r.status is ReceiptStatus.CANCELLED:
        state = RowState.CANCELLED
    else:
        state = RowState.NEW
    note = None
    if r.status is ReceiptStatus.CANCELLED and r.cancelled_at is not None:
        note = f"Hủy ngày {r.cancelled_at.astimezone(VIETNAM_TZ).strftime('%d/%m/%Y')}"
    if cancelled_later:
        state = RowState.CANCELLED
    return SummaryRow(
        receipt=_ref(r),
        payer_name=snap.sealed_person.name,
        fee_names="; ".join(line.name for line in snap.lines),
        total=snap.total or 0,
        state=state,
        status=r.status.value,
        related=_related(session, r),
        note=note,
    )


def summary_receipts(session: Session, day: dt.date) -> tuple[list[Receipt], list[Receipt]]:
    """(receipts issued on ``day``, receipts of earlier days cancelled on ``day``)."""
    start, end = vietnam_day_bounds(day)
    issued = session.scalars(
        select(Receipt)
        .where(Receipt.issued_at >= start, Receipt.issued_at < end)
        .order_by(Receipt.issued_at, Receipt.id)
    ).all()
    cancelled = session.scalars(
        select(Receipt)
        .where(
            Receipt.cancelled_at >= start,
            Receipt.cancelled_at < end,
            Receipt.issued_at < start,
        )
        .order_by(Receipt.cancelled_at, Receipt.id)
    ).all()
    return list(issued), list(cancelled)


def _unit(service: Service, day: dt.date) -> TaxUnit:
    u = unit_profile(service.settings, on=day)
    return TaxUnit(name=u.name, tax_code=u.tax_code, address=u.address)


def daily_summary(
    session: Session,
    service: Service,
    *,
    day: dt.date,
    sequence: int = 1,
    made_on: dt.date | None = None,
    notices: NoticeSource = notices_of_day,
) -> DailySummary:
    """Mẫu 01/TH-BLĐT of ``day`` as the ledger has it now (read only)."""
    issued, cancelled = summary_receipts(session, day)
    rows = [_row(session, r) for r in issued]
    rows += [_row(session, r, cancelled_later=True) for r in cancelled]
    return DailySummary(
        unit=_unit(service, day),
        day=day,
        sequence=sequence,
        made_on=made_on or vietnam_today(),
        rows=tuple(rows),
        notices=tuple(notices(session, day)),
    )


def sign_report(service: Service, xml: bytes) -> bytes:
    """``xml`` signed with the ward's seal key through its store (as the XML original is)."""
    store = seal_key_store(service)
    return sign_tax_xml(xml, key=store_key(store), certificate=store.certificate)


def queue_daily_summary(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    day: dt.date,
    notices: NoticeSource = notices_of_day,
) -> TaxSubmission:
    """Build, sign and queue the summary of ``day`` (a second one for the same day is a
    supplement: sequence 2, 3, …)."""
    outbox.require_tax(actor)
    if day > vietnam_today():
        raise ValidationError(
            "Không lập bảng tổng hợp cho ngày chưa đến", "no summary for a day not yet come"
        )
    sequence = outbox.next_sequence(session, kind="summary", period=day)
    summary = daily_summary(session, service, day=day, sequence=sequence, notices=notices)
    try:
        xml = sign_report(service, build_summary_xml(summary))
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    t = summary.totals
    return outbox.enqueue(
        session,
        actor,
        kind="summary",
        period=day,
        sequence=sequence,
        xml=xml,
        xlsx=summary_workbook(summary),
        rows=t.rows,
        amount=t.amount,
    )


def _active_days(session: Session, since: dt.date, until: dt.date) -> list[dt.date]:
    start, _ = vietnam_day_bounds(since)
    _, end = vietnam_day_bounds(until)
    days: set[dt.date] = set()
    for issued_at, cancelled_at in session.execute(
        select(Receipt.issued_at, Receipt.cancelled_at).where(
            or_(
                (Receipt.issued_at >= start) & (Receipt.issued_at < end),
                (Receipt.cancelled_at >= start) & (Receipt.cancelled_at < end),
            )
        )
    ).all():
        for t in (issued_at, cancelled_at):
            if t is not None and start <= t < end:
                days.add(t.astimezone(VIETNAM_TZ).date())
    return sorted(days)


def queue_due_summaries(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    now: dt.datetime | None = None,
    lookback_days: int = 31,
    notices: NoticeSource = notices_of_day,
) -> list[TaxSubmission]:
    """Queue the summary of every ended day (up to yesterday, Vietnam time, within
    ``lookback_days``) that had receipts issued or cancelled and has no summary yet."""
    outbox.require_tax(actor)
    today = vietnam_today(now)
    since = today - dt.timedelta(days=lookback_days)
    out = []
    for day in _active_days(session, since, today - dt.timedelta(days=1)):
        if not outbox.has_summary(session, day):
            out.append(queue_daily_summary(session, actor, service, day=day, notices=notices))
    return out


def queue_pending_notices(session: Session, actor: Actor, service: Service) -> list[TaxSubmission]:
    """Queue every notice 04/SS-CTĐT not queued yet: its signed XML as recorded (the issuing
    side signed it when the payer was notified) and a workbook; the submission's sequence is
    the notice's id, so a notice is queued once."""
    outbox.require_tax(actor)
    queued = set(
        session.scalars(select(TaxSubmission.sequence).where(TaxSubmission.kind == "notice")).all()
    )
    out = []
    for n in session.scalars(select(ReceiptNotice).order_by(ReceiptNotice.id)).all():
        if n.id in queued:
            continue
        row = _notice_row(session, n)
        report = NoticeReport(
            unit=_unit(service, row.notice_date), made_on=row.notice_date, notices=(row,)
        )
        out.append(
            outbox.enqueue(
                session,
                actor,
                kind="notice",
                period=row.notice_date,
                sequence=n.id,
                xml=bytes(n.document.content),
                xlsx=notice_workbook(report),
                rows=1,
            )
        )
    return out


def registration(
    session: Session,
    service: Service,
    *,
    on: dt.date,
    contact_name: str,
    contact_phone: str | None = None,
    contact_email: str | None = None,
    change: bool = False,
) -> Registration:
    """Mẫu 01/ĐKTĐ-CTĐT: the unit in force on ``on``, its active series, its seal certificate."""
    series = session.scalars(
        select(ReceiptSeries).where(ReceiptSeries.active.is_(True)).order_by(ReceiptSeries.id)
    ).all()
    cert = seal_certificate(service)
    return Registration(
        unit=_unit(service, on),
        made_on=on,
        change=change,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        symbols=tuple((s.template_symbol, s.series) for s in series),
        certificates=(
            CertificateEntry(
                issuer=cert.issuer.rfc4514_string(),
                subject=cert.subject.rfc4514_string(),
                serial=format(cert.serial_number, "x"),
                valid_from=cert.not_valid_before_utc,
                valid_to=cert.not_valid_after_utc,
            ),
        ),
    )


def queue_registration(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    contact_name: str,
    contact_phone: str | None = None,
    contact_email: str | None = None,
    change: bool = False,
) -> TaxSubmission:
    outbox.require_tax(actor)
    today = vietnam_today()
    reg = registration(
        session,
        service,
        on=today,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        change=change,
    )
    try:
        xml = sign_report(service, build_registration_xml(reg))
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    return outbox.enqueue(
        session,
        actor,
        kind="registration",
        period=today,
        sequence=outbox.next_sequence(session, kind="registration", period=today),
        xml=xml,
        xlsx=registration_workbook(reg),
        rows=len(reg.symbols),
    )
