"""The outbox of reports to the tax authority: queue, send through a pluggable sender, record.

A report is stored whole (signed XML and workbook) when queued, so what is sent later is what
was signed then. Each state change is a row of ``tax_submission_events`` and an audit entry:

    queued ──send──► sent
       │
       └──send fails──► failed ──send again (event "retried")──► sent | failed

Several processes may run ``send_pending`` at once: on PostgreSQL each takes its rows with
``FOR UPDATE SKIP LOCKED``, so a report is sent by one of them. A sender that delivered but
whose commit was lost sends the same reference again later: the folder sender replaces the
files with identical bytes, and a tax-authority client must treat the reference as the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import UserRole
from ..db.tax_models import TaxSubmission, TaxSubmissionEvent
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, TaxSendError, ValidationError
from ..tax.senders import OutgoingReport, TaxSender
from .actors import Actor, require

KINDS = {
    "summary": "01-TH-BLDT",
    "registration": "01-DKTD-CTDT",
    "notice": "04-SS-CTDT",
}
STATES = ("queued", "sent", "failed")


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmissionView:
    id: int
    kind: str
    period: dt.date
    sequence: int
    reference: str
    state: str
    attempts: int
    last_error: str | None
    rows: int
    amount: int
    xml_sha256: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sent_ref: str | None
    events: tuple[tuple[dt.datetime, str, str | None], ...] = ()
    """(time, state, error) in order."""


def require_tax(actor: Actor) -> None:
    require(actor, UserRole.ADMIN, scope="reports")


def _view(session: Session, s: TaxSubmission, *, events: bool = False) -> SubmissionView:
    history: tuple[tuple[dt.datetime, str, str | None], ...] = ()
    if events:
        rows = session.scalars(
            select(TaxSubmissionEvent)
            .where(TaxSubmissionEvent.submission_id == s.id)
            .order_by(TaxSubmissionEvent.id)
        ).all()
        history = tuple((e.at, e.state, e.error) for e in rows)
    return SubmissionView(
        id=s.id,
        kind=s.kind,
        period=s.period,
        sequence=s.sequence,
        reference=s.reference,
        state=s.state,
        attempts=s.attempts,
        last_error=s.last_error,
        rows=s.rows,
        amount=s.amount,
        xml_sha256=s.xml_sha256,
        created_at=s.created_at,
        sent_at=s.sent_at,
        sent_ref=s.sent_ref,
        events=history,
    )


def _event(session: Session, actor: Actor, s: TaxSubmission, state: str, error: str | None) -> None:
    session.add(TaxSubmissionEvent(submission_id=s.id, state=state, error=error, actor=actor.label))


def next_sequence(session: Session, *, kind: str, period: dt.date) -> int:
    last = session.scalar(
        select(func.max(TaxSubmission.sequence)).where(
            TaxSubmission.kind == kind, TaxSubmission.period == period
        )
    )
    return int(last or 0) + 1


def enqueue(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    period: dt.date,
    sequence: int,
    xml: bytes,
    xlsx: bytes,
    rows: int = 0,
    amount: int = 0,
) -> TaxSubmission:
    """Store a signed report as ``queued`` (one event, one audit entry)."""
    require_tax(actor)
    if kind not in KINDS:
        raise ValidationError(f"Loại báo cáo không hợp lệ: {kind}", f"unknown report kind {kind}")
    s = TaxSubmission(
        kind=kind,
        period=period,
        sequence=sequence,
        reference=f"{KINDS[kind]}_{period.isoformat()}_{sequence}",
        xml=xml,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        xlsx=xlsx,
        rows=rows,
        amount=amount,
        state="queued",
        attempts=0,
        created_by=actor.label,
    )
    session.add(s)
    session.flush()
    _event(session, actor, s, "queued", None)
    audit.append(
        session,
        actor=actor.label,
        action="tax.queue",
        subject=f"tax_submission:{s.id}",
        details={"reference": s.reference, "sha256": s.xml_sha256, "rows": rows, "amount": amount},
    )
    return s


def send_one(session: Session, actor: Actor, s: TaxSubmission, sender: TaxSender) -> None:
    """Send ``s`` (queued or failed) and record the outcome; a sender error is recorded, not
    raised."""
    require_tax(actor)
    if s.state == "sent":
        raise ConflictError(
            f"Báo cáo {s.reference} đã gửi", f"report {s.reference} was already sent"
        )
    if s.state == "failed":
        _event(session, actor, s, "retried", None)
    s.attempts += 1
    s.sender = sender.name
    s.updated_at = utcnow()
    try:
        ref = sender.send(
            OutgoingReport(reference=s.reference, kind=s.kind, xml=s.xml, xlsx=s.xlsx)
        )
    except TaxSendError as exc:
        s.state, s.last_error = "failed", exc.message
        _event(session, actor, s, "failed", exc.message)
        audit.append(
            session,
            actor=actor.label,
            action="tax.send_failed",
            subject=f"tax_submission:{s.id}",
            details={"reference": s.reference, "sender": sender.name, "error": exc.message},
        )
        return
    s.state, s.last_error, s.sent_ref, s.sent_at = "sent", None, ref, utcnow()
    _event(session, actor, s, "sent", None)
    audit.append(
        session,
        actor=actor.label,
        action="tax.send",
        subject=f"tax_submission:{s.id}",
        details={"reference": s.reference, "sender": sender.name, "sent_ref": ref},
    )


def send_pending(
    session: Session,
    actor: Actor,
    sender: TaxSender,
    *,
    retry_failed: bool = True,
    limit: int = 100,
) -> list[SubmissionView]:
    """Send every queued report (and the failed ones again), oldest first."""
    require_tax(actor)
    states = ("queued", "failed") if retry_failed else ("queued",)
    stmt = (
        select(TaxSubmission)
        .where(TaxSubmission.state.in_(states))
        .order_by(TaxSubmission.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    out = []
    for s in session.scalars(stmt).all():
        send_one(session, actor, s, sender)
        out.append(_view(session, s))
    session.flush()
    return out


def send_submission(
    session: Session, actor: Actor, submission_id: int, sender: TaxSender
) -> SubmissionView:
    s = _get(session, submission_id, for_update=True)
    send_one(session, actor, s, sender)
    session.flush()
    return _view(session, s, events=True)


def _get(session: Session, submission_id: int, *, for_update: bool = False) -> TaxSubmission:
    stmt = select(TaxSubmission).where(TaxSubmission.id == submission_id)
    if for_update:
        stmt = stmt.with_for_update()
    s = session.scalars(stmt).one_or_none()
    if s is None:
        raise NotFoundError(
            f"Không có báo cáo số {submission_id}", f"no tax submission {submission_id}"
        )
    return s


def get_submission(session: Session, actor: Actor, submission_id: int) -> SubmissionView:
    require_tax(actor)
    return _view(session, _get(session, submission_id), events=True)


def submission_files(session: Session, actor: Actor, submission_id: int) -> tuple[bytes, bytes]:
    """The stored signed XML and workbook of one submission."""
    require_tax(actor)
    s = _get(session, submission_id)
    return s.xml, s.xlsx


def list_submissions(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[SubmissionView]:
    require_tax(actor)
    stmt = select(TaxSubmission).order_by(TaxSubmission.id.desc()).limit(limit)
    if state is not None:
        if state not in STATES:
            raise ValidationError(f"Trạng thái không hợp lệ: {state}", f"unknown state {state}")
        stmt = stmt.where(TaxSubmission.state == state)
    if kind is not None:
        stmt = stmt.where(TaxSubmission.kind == kind)
    return [_view(session, s) for s in session.scalars(stmt).all()]


def has_summary(session: Session, day: dt.date) -> bool:
    found = session.scalar(
        select(func.count())
        .select_from(TaxSubmission)
        .where(TaxSubmission.kind == "summary", TaxSubmission.period == day)
    )
    return bool(found)
