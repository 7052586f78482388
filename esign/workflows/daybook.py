"""The counter's day: its receipts, the takings by payment method, and the day's closing (bảng
kê thu), which the clerk states once and the audit log keeps (with the totals as they were).

The totals are :func:`reports.payment_shares` of that one day, so the closing, the reports and
their exports give the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from .. import audit
from ..db.models import AuditEntry, Receipt, UserRole
from ..errors import ConflictError
from .actors import Actor, require
from .key_changes import lock_key_changes
from .reports import MethodTotal, payment_shares

DAY_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Closing:
    at: dt.datetime
    by: str
    payments: int
    amount: int


@dataclass(frozen=True, slots=True)
class DayBook:
    day: dt.date
    receipts: list[Receipt]
    """Every receipt issued that day (cancelled and replaced ones too), oldest first."""
    by_method: tuple[MethodTotal, ...]
    payments: int
    """Receipts that count (issued or adjusted, not adjustments themselves)."""
    amount: int
    closing: Closing | None


def _subject(day: dt.date) -> str:
    return f"daybook:{day.isoformat()}"


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), VIETNAM_TZ)
    return start, start + dt.timedelta(days=1)


def _closing(session: Session, day: dt.date) -> Closing | None:
    entry = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "daybook.close", AuditEntry.subject == _subject(day))
        .order_by(AuditEntry.seq)
        .limit(1)
    ).first()
    if entry is None:
        return None
    details = json.loads(entry.details)
    return Closing(
        at=entry.at,
        by=str(details.get("by", entry.actor)),
        payments=int(details["payments"]),
        amount=int(details["amount"]),
    )


def day_book(session: Session, day: dt.date) -> DayBook:
    start, end = _bounds(day)
    receipts = list(
        session.scalars(
            select(Receipt)
            .where(Receipt.issued_at >= start, Receipt.issued_at < end)
            .order_by(Receipt.id)
            .limit(DAY_LIMIT)
        )
    )
    shares = payment_shares(session, date_from=day, date_to=day)
    return DayBook(
        day=day,
        receipts=receipts,
        by_method=shares.by_method,
        payments=shares.payments,
        amount=sum(m.amount for m in shares.by_method),
        closing=_closing(session, day),
    )


def close_day(session: Session, actor: Actor, day: dt.date) -> Closing:
    """State the day's takings once (the audit log keeps them); a second closing is refused."""
    require(actor, UserRole.CLERK, scope="receipts")
    lock_key_changes(session)  # the audit head's row lock: two closings cannot both pass
    if _closing(session, day) is not None:
        raise ConflictError(
            f"Ngày {day:%d/%m/%Y} đã chốt sổ rồi", f"{day.isoformat()} is already closed"
        )
    book = day_book(session, day)
    entry = audit.append(
        session,
        actor=actor.label,
        action="daybook.close",
        subject=_subject(day),
        details={
            "by": actor.full_name,
            "payments": book.payments,
            "amount": book.amount,
            "by_method": {m.method.value: [m.payments, m.amount] for m in book.by_method},
        },
    )
    return Closing(at=entry.at, by=actor.full_name, payments=book.payments, amount=book.amount)
