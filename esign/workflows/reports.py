"""The figures a ward reports (fees collected, online payment, dossiers returned on time).

Conventions:

- Days are Vietnam days (UTC+7, no daylight saving): a receipt issued at 23:30 UTC on the 1st
  belongs to the 2nd.
- A receipt counts unless it was cancelled or replaced (its replacement counts instead). An
  adjustment receipt counts on the day it was issued: an increase adds its amount, a decrease
  subtracts it, an information adjustment (no amount) is left out.
- Payments are the counted receipts that are not adjustments and charged more than 0 đồng (an
  exempted fee is not a payment); "online" means ``online`` or ``bank_transfer``.
- Dossiers received: by their Vietnam day of receipt; "online" is the ``online`` channel.
- Dossiers: those whose due date falls in the range. One returned on its Vietnam date on or
  before the due date is on time; one still open after its due date is overdue. The on-time
  share is over the dossiers already decided (returned, or open and overdue): one still open
  and not yet due can go either way.

The totals per day, per payment method and the dossier counts are GROUP BY / CASE queries
that run on SQLite and PostgreSQL alike (only the Vietnam-date expression differs). The totals
per fee item are summed in Python over the range's receipts: ``Receipt.lines`` is JSON, and
the JSON table functions of the two databases (``json_each`` / ``jsonb_array_elements``)
differ; a ward issues a few thousand receipts a year, so one pass over a range's lines is
cheap, and the query selects only the two columns it needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Channel
from receipts.pdf import PaymentMethod

from ..db.models import Dossier, Receipt, ReceiptStatus, UserRole
from ..db.types import utcnow
from ..errors import ValidationError
from .actors import Actor, require
from .receipts import AdjustmentKind

MAX_DAYS = 366
COUNTED = (ReceiptStatus.ISSUED, ReceiptStatus.ADJUSTED)
ONLINE_METHODS = (PaymentMethod.ONLINE, PaymentMethod.BANK_TRANSFER)


@dataclass(frozen=True, slots=True)
class Share:
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.count / self.of, 2) if self.of else None


@dataclass(frozen=True, slots=True)
class DayTotal:
    day: dt.date
    receipts: int
    """Receipts that are not adjustments."""
    adjustments: int
    amount: int


@dataclass(frozen=True, slots=True)
class ItemTotal:
    name: str
    legal_basis: str
    quantity: int
    """Summed over the receipts that are not adjustments."""
    amount: int
    """With the adjustments' signs."""


@dataclass(frozen=True, slots=True)
class MonthTotal:
    month: str
    """``YYYY-MM`` (Vietnam days)."""
    receipts: int
    adjustments: int
    amount: int


@dataclass(frozen=True, slots=True)
class FeeTotals:
    total: int
    receipts: int
    adjustments: int
    by_day: tuple[DayTotal, ...]
    by_fee_item: tuple[ItemTotal, ...]

    @property
    def by_month(self) -> tuple[MonthTotal, ...]:
        """The days summed per calendar month of the range (derived: one truth, the days)."""
        months: dict[str, list[int]] = {}
        for d in self.by_day:
            entry = months.setdefault(f"{d.day:%Y-%m}", [0, 0, 0])
            entry[0] += d.receipts
            entry[1] += d.adjustments
            entry[2] += d.amount
        return tuple(MonthTotal(m, r, a, s) for m, (r, a, s) in months.items())


@dataclass(frozen=True, slots=True)
class MethodTotal:
    method: PaymentMethod
    payments: int
    amount: int


@dataclass(frozen=True, slots=True)
class PaymentShares:
    payments: int
    by_method: tuple[MethodTotal, ...]
    online: Share
    """``online`` or ``bank_transfer``."""
    cash: Share


@dataclass(frozen=True, slots=True)
class DossierTimeliness:
    due: int
    returned_on_time: int
    """Early ones included."""
    returned_late: int
    open_overdue: int
    open_not_yet_due: int
    on_time: Share
    returned_early: int = 0
    """Returned on a Vietnam day before the due date (a part of ``returned_on_time``)."""


@dataclass(frozen=True, slots=True)
class DossierIntake:
    """Dossiers received in the range (by their Vietnam day of receipt), by channel."""

    received: int
    online: Share


@dataclass(frozen=True, slots=True)
class Summary:
    date_from: dt.date
    date_to: dt.date
    generated_at: dt.datetime
    fees: FeeTotals
    payments: PaymentShares
    dossiers: DossierTimeliness
    intake: DossierIntake | None = None


def summary(
    session: Session,
    actor: Actor,
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
) -> Summary:
    require(actor, UserRole.CLERK, UserRole.ADMIN, scope="reports")
    if date_from.year < 2000 or date_to.year > 2999:
        raise ValidationError("Ngày báo cáo phải trong 2000–2999", "Dates must be in 2000-2999")
    if date_from > date_to:
        raise ValidationError("Ngày bắt đầu sau ngày kết thúc", "date_from is after date_to")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError(
            f"Mỗi báo cáo tối đa {MAX_DAYS} ngày", f"A report covers at most {MAX_DAYS} days"
        )
    now = now or utcnow()
    return Summary(
        date_from=date_from,
        date_to=date_to,
        generated_at=now,
        fees=fee_totals(session, date_from=date_from, date_to=date_to),
        payments=payment_shares(session, date_from=date_from, date_to=date_to),
        dossiers=dossier_timeliness(
            session, date_from=date_from, date_to=date_to, today=now.astimezone(VIETNAM_TZ).date()
        ),
        intake=dossier_intake(session, date_from=date_from, date_to=date_to),
    )


def fee_totals(session: Session, *, date_from: dt.date, date_to: dt.date) -> FeeTotals:
    day = _vietnam_date(session, Receipt.issued_at).label("day")
    is_adjustment = Receipt.adjusts_id.is_not(None)
    rows = session.execute(
        select(
            day,
            func.sum(case((is_adjustment, 0), else_=1)),
            func.sum(case((is_adjustment, 1), else_=0)),
            func.sum(_signed_total()),
        )
        .where(_counted(date_from, date_to), _has_amount())
        .group_by(day)
    ).all()
    found = {_as_date(d): DayTotal(_as_date(d), int(n), int(a), int(s)) for d, n, a, s in rows}
    by_day = tuple(found.get(d, DayTotal(d, 0, 0, 0)) for d in _days(date_from, date_to))
    return FeeTotals(
        total=sum(d.amount for d in by_day),
        receipts=sum(d.receipts for d in by_day),
        adjustments=sum(d.adjustments for d in by_day),
        by_day=by_day,
        by_fee_item=_fee_items(session, date_from, date_to),
    )


def payment_shares(session: Session, *, date_from: dt.date, date_to: dt.date) -> PaymentShares:
    rows = session.execute(
        select(Receipt.payment_method, func.count(), func.sum(Receipt.total))
        .where(_counted(date_from, date_to), Receipt.adjusts_id.is_(None), Receipt.total > 0)
        .group_by(Receipt.payment_method)
    ).all()
    found = {str(m): (int(n), int(s)) for m, n, s in rows}
    by_method = tuple(MethodTotal(m, *found.get(m.value, (0, 0))) for m in PaymentMethod)
    payments = sum(m.payments for m in by_method)
    online = sum(m.payments for m in by_method if m.method in ONLINE_METHODS)
    cash = sum(m.payments for m in by_method if m.method is PaymentMethod.CASH)
    return PaymentShares(
        payments=payments,
        by_method=by_method,
        online=Share(online, payments),
        cash=Share(cash, payments),
    )


def dossier_timeliness(
    session: Session, *, date_from: dt.date, date_to: dt.date, today: dt.date
) -> DossierTimeliness:
    returned_day = _vietnam_date(session, Dossier.returned_at)
    returned = Dossier.returned_at.is_not(None)
    is_open = Dossier.returned_at.is_(None)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    due, on_time, late, overdue, early = session.execute(
        select(
            func.count(),
            count_if(and_(returned, returned_day <= Dossier.due_date)),
            count_if(and_(returned, returned_day > Dossier.due_date)),
            count_if(and_(is_open, Dossier.due_date < today)),
            count_if(and_(returned, returned_day < Dossier.due_date)),
        ).where(Dossier.due_date >= date_from, Dossier.due_date <= date_to)
    ).one()
    due, on_time, late, overdue = int(due), int(on_time), int(late), int(overdue)
    return DossierTimeliness(
        due=due,
        returned_on_time=on_time,
        returned_late=late,
        open_overdue=overdue,
        open_not_yet_due=due - on_time - late - overdue,
        on_time=Share(on_time, on_time + late + overdue),
        returned_early=int(early),
    )


def dossier_intake(session: Session, *, date_from: dt.date, date_to: dt.date) -> DossierIntake:
    start = dt.datetime.combine(date_from, dt.time(), VIETNAM_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), VIETNAM_TZ)
    received, online = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Dossier.channel == Channel.ONLINE.value, 1), else_=0)), 0),
        ).where(Dossier.received_at >= start, Dossier.received_at < end)
    ).one()
    return DossierIntake(received=int(received), online=Share(int(online), int(received)))


def _fee_items(session: Session, date_from: dt.date, date_to: dt.date) -> tuple[ItemTotal, ...]:
    stmt = select(Receipt.lines, Receipt.adjustment_kind).where(
        _counted(date_from, date_to), _has_amount()
    )
    totals: dict[tuple[str, str], list[int]] = {}
    for lines, kind in session.execute(stmt.execution_options(yield_per=500)):
        sign = -1 if kind == AdjustmentKind.DECREASE.value else 1
        for line in lines:
            entry = totals.setdefault((line["name"], line["legal_basis"]), [0, 0])
            if kind is None:
                entry[0] += int(line["quantity"])
            entry[1] += sign * int(line["amount"])
    items = [ItemTotal(name, basis, q, a) for (name, basis), (q, a) in totals.items()]
    return tuple(sorted(items, key=lambda i: (-i.amount, i.name, i.legal_basis)))


def _counted(date_from: dt.date, date_to: dt.date) -> ColumnElement[bool]:
    start = dt.datetime.combine(date_from, dt.time(), VIETNAM_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), VIETNAM_TZ)
    return and_(Receipt.status.in_(COUNTED), Receipt.issued_at >= start, Receipt.issued_at < end)


def _has_amount() -> ColumnElement[bool]:
    """Leaves out information adjustments (they change a name or an address, not an amount)."""
    return or_(
        Receipt.adjustment_kind.is_(None),
        Receipt.adjustment_kind != AdjustmentKind.INFORMATION.value,
    )


def _signed_total() -> ColumnElement[int]:
    decrease = Receipt.adjustment_kind == AdjustmentKind.DECREASE.value
    return case((decrease, -Receipt.total), else_=Receipt.total)


def _vietnam_date(session: Session, column: Any) -> ColumnElement[Any]:
    # Literals, not bound parameters: PostgreSQL (server-side binding) would otherwise see the
    # SELECT's and the GROUP BY's expressions as different.
    if session.get_bind().dialect.name == "sqlite":
        # Stored as naive UTC text; date() applies the modifier and returns 'YYYY-MM-DD'.
        return func.date(column, literal_column("'+7 hours'"))
    return cast(func.timezone(literal_column("'Asia/Ho_Chi_Minh'"), column), Date)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
