"""Paper receipts still in stock: record the stock, each use, and the destruction.

NĐ 254/2026/NĐ-CP Điều 44.2: pre-printed paper receipts the unit still holds may be used until
31/12/2026 and are destroyed from 1/1/2027; the destruction is notified with Mẫu 02/HUY-HĐBLG
(TT 91/2026/TT-BTC Điều 16). So:

- a stock is a range of numbers of one (template symbol, series); ranges of the same series
  never overlap;
- a use records one number against a payment (payer, amount, what for, optionally the dossier);
  its day must be on or before 31/12/2026 and not in the future; a number is used once;
- a destruction records a range of unused numbers of one stock and the notice's data
  (decision, method, reason, day); its day must be on or after 1/1/2027 and not in the future;
  a number used or already destroyed cannot be destroyed.

Each change is one audit entry in the same transaction. ``today`` is the Vietnam date the
check is made against (the clock unless given: a back-office import of old paper records
passes the day it was true).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ

from .. import audit
from ..db.models import UserRole
from ..db.tax_models import PaperDestruction, PaperStock, PaperUse
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from .actors import Actor, require
from .dossiers import clean_text

LAST_USE_DAY = dt.date(2026, 12, 31)
"""NĐ 254/2026/NĐ-CP Điều 44.2: paper receipts in stock may be used until this day."""
FIRST_DESTRUCTION_DAY = dt.date(2027, 1, 1)
"""NĐ 254/2026/NĐ-CP Điều 44.2; notice Mẫu 02/HUY-HĐBLG (TT 91/2026/TT-BTC Điều 16)."""
BASIS = "Nghị định 254/2026/NĐ-CP Điều 44.2"


@dataclass(frozen=True, slots=True, kw_only=True)
class StockView:
    id: int
    template_symbol: str
    series: str
    from_number: int
    to_number: int
    used: int
    destroyed: int

    @property
    def size(self) -> int:
        return self.to_number - self.from_number + 1

    @property
    def remaining(self) -> int:
        return self.size - self.used - self.destroyed


@dataclass(frozen=True, slots=True, kw_only=True)
class DestructionNotice:
    """The data of Mẫu 02/HUY-HĐBLG for one destroyed range."""

    id: int
    form: str
    template_symbol: str
    series: str
    from_number: int
    to_number: int
    count: int
    destroyed_on: dt.date
    decision: str
    method: str
    reason: str
    legal_basis: str


def _today(today: dt.date | None) -> dt.date:
    return today or utcnow().astimezone(VIETNAM_TZ).date()


def _symbols(template_symbol: str, series: str) -> tuple[str, str]:
    t, s = template_symbol.strip().upper(), series.strip().upper()
    if not t or not s or len(t) > 20 or len(s) > 20:
        raise ValidationError("Cần mẫu số và ký hiệu", "template symbol and series are required")
    return t, s


def _range(first: int, last: int) -> None:
    if first < 1 or last < first:
        raise ValidationError(
            f"Dải số không hợp lệ: {first}–{last}", f"invalid number range {first}-{last}"
        )


def _stocks(session: Session, t: str, s: str) -> list[PaperStock]:
    return list(
        session.scalars(
            select(PaperStock)
            .where(PaperStock.template_symbol == t, PaperStock.series == s)
            .order_by(PaperStock.from_number)
        ).all()
    )


def _stock_of(session: Session, t: str, s: str, number: int) -> PaperStock:
    for stock in _stocks(session, t, s):
        if stock.from_number <= number <= stock.to_number:
            return stock
    raise NotFoundError(
        f"Số {number} của {t}/{s} không có trong tồn kho biên lai giấy",
        f"number {number} of {t}/{s} is not in the paper stock",
    )


def _view(session: Session, stock: PaperStock) -> StockView:
    used = len(session.scalars(select(PaperUse.id).where(PaperUse.stock_id == stock.id)).all())
    destroyed = sum(
        d.to_number - d.from_number + 1
        for d in session.scalars(
            select(PaperDestruction).where(PaperDestruction.stock_id == stock.id)
        ).all()
    )
    return StockView(
        id=stock.id,
        template_symbol=stock.template_symbol,
        series=stock.series,
        from_number=stock.from_number,
        to_number=stock.to_number,
        used=used,
        destroyed=destroyed,
    )


def record_stock(
    session: Session,
    actor: Actor,
    *,
    template_symbol: str,
    series: str,
    from_number: int,
    to_number: int,
    note: str | None = None,
) -> StockView:
    require(actor, UserRole.ADMIN)
    t, s = _symbols(template_symbol, series)
    _range(from_number, to_number)
    for other in _stocks(session, t, s):
        if from_number <= other.to_number and other.from_number <= to_number:
            raise ConflictError(
                f"Dải số trùng với tồn kho đã ghi {other.from_number}–{other.to_number}",
                f"the range overlaps the recorded stock {other.from_number}-{other.to_number}",
            )
    stock = PaperStock(
        template_symbol=t,
        series=s,
        from_number=from_number,
        to_number=to_number,
        note=note.strip()[:500] if note and note.strip() else None,
        recorded_by=actor.label,
    )
    session.add(stock)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="paper.stock",
        subject=f"paper_stock:{stock.id}",
        details={"symbols": f"{t}/{s}", "from": from_number, "to": to_number},
    )
    return _view(session, stock)


def use_paper_receipt(
    session: Session,
    actor: Actor,
    *,
    template_symbol: str,
    series: str,
    number: int,
    used_on: dt.date,
    payer_name: str,
    amount: int,
    description: str,
    dossier_id: int | None = None,
    today: dt.date | None = None,
) -> PaperUse:
    """Record paper receipt ``number`` as written out for a payment on ``used_on``."""
    require(actor, UserRole.CLERK, UserRole.ADMIN)
    if used_on > LAST_USE_DAY:
        raise ValidationError(
            f"Biên lai giấy chỉ được dùng đến hết ngày 31/12/2026 ({BASIS})",
            f"paper receipts may be used until 31/12/2026 only ({BASIS})",
            code="paper_receipts_expired",
        )
    if used_on > _today(today):
        raise ValidationError("Ngày sử dụng ở tương lai", "the day of use is in the future")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValidationError("Số tiền phải là số đồng không âm", "amount: whole đồng, ≥ 0")
    t, s = _symbols(template_symbol, series)
    stock = _stock_of(session, t, s, number)
    if session.scalars(
        select(PaperUse.id).where(PaperUse.stock_id == stock.id, PaperUse.number == number)
    ).first():
        raise ConflictError(f"Biên lai giấy số {number} đã dùng", f"paper receipt {number} is used")
    if _destroyed(session, stock, number):
        raise ConflictError(
            f"Biên lai giấy số {number} đã hủy", f"paper receipt {number} was destroyed"
        )
    use = PaperUse(
        stock_id=stock.id,
        number=number,
        used_on=used_on,
        payer_name=clean_text(payer_name, field_vi="Người nộp", field_en="Payer", max_length=200),
        amount=amount,
        description=clean_text(
            description, field_vi="Nội dung thu", field_en="Description", max_length=500
        ),
        dossier_id=dossier_id,
        recorded_by=actor.label,
    )
    session.add(use)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="paper.use",
        subject=f"paper_use:{use.id}",
        details={"receipt": f"{t}/{s}/{number}", "day": used_on.isoformat(), "amount": amount},
    )
    return use


def _destroyed(session: Session, stock: PaperStock, number: int) -> bool:
    return any(
        d.from_number <= number <= d.to_number
        for d in session.scalars(
            select(PaperDestruction).where(PaperDestruction.stock_id == stock.id)
        ).all()
    )


def record_destruction(
    session: Session,
    actor: Actor,
    *,
    template_symbol: str,
    series: str,
    from_number: int,
    to_number: int,
    destroyed_on: dt.date,
    decision: str,
    method: str,
    reason: str = "Hết thời hạn sử dụng biên lai giấy (Nghị định 254/2026/NĐ-CP Điều 44.2)",
    today: dt.date | None = None,
) -> DestructionNotice:
    """Record the destruction of unused numbers ``from_number``–``to_number`` (one stock)."""
    require(actor, UserRole.ADMIN)
    if destroyed_on < FIRST_DESTRUCTION_DAY:
        raise ValidationError(
            f"Biên lai giấy tồn được hủy từ ngày 01/01/2027 ({BASIS})",
            f"paper receipts in stock are destroyed from 1/1/2027 ({BASIS})",
            code="paper_destruction_too_early",
        )
    if destroyed_on > _today(today):
        raise ValidationError("Ngày hủy ở tương lai", "the day of destruction is in the future")
    t, s = _symbols(template_symbol, series)
    _range(from_number, to_number)
    stock = _stock_of(session, t, s, from_number)
    if to_number > stock.to_number:
        raise ValidationError(
            f"Dải hủy vượt quá tồn kho {stock.from_number}–{stock.to_number}",
            f"the range goes beyond the stock {stock.from_number}-{stock.to_number}",
        )
    used = session.scalars(
        select(PaperUse.number).where(
            PaperUse.stock_id == stock.id,
            PaperUse.number >= from_number,
            PaperUse.number <= to_number,
        )
    ).all()
    if used:
        raise ConflictError(
            f"Không hủy được biên lai đã dùng: {', '.join(map(str, sorted(used)))}",
            "used paper receipts cannot be destroyed",
        )
    for d in session.scalars(
        select(PaperDestruction).where(PaperDestruction.stock_id == stock.id)
    ).all():
        if from_number <= d.to_number and d.from_number <= to_number:
            raise ConflictError(
                f"Dải {d.from_number}–{d.to_number} đã hủy", "part of the range was destroyed"
            )
    row = PaperDestruction(
        stock_id=stock.id,
        from_number=from_number,
        to_number=to_number,
        destroyed_on=destroyed_on,
        decision=clean_text(
            decision, field_vi="Quyết định hủy", field_en="Decision", max_length=200
        ),
        method=clean_text(method, field_vi="Phương pháp hủy", field_en="Method", max_length=200),
        reason=clean_text(reason, field_vi="Lý do hủy", field_en="Reason", max_length=500),
        recorded_by=actor.label,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="paper.destroy",
        subject=f"paper_destruction:{row.id}",
        details={
            "symbols": f"{t}/{s}",
            "from": from_number,
            "to": to_number,
            "day": destroyed_on.isoformat(),
            "decision": row.decision,
        },
    )
    return _notice(row, stock)


def _notice(row: PaperDestruction, stock: PaperStock) -> DestructionNotice:
    return DestructionNotice(
        id=row.id,
        form="02/HUY-HĐBLG",
        template_symbol=stock.template_symbol,
        series=stock.series,
        from_number=row.from_number,
        to_number=row.to_number,
        count=row.to_number - row.from_number + 1,
        destroyed_on=row.destroyed_on,
        decision=row.decision,
        method=row.method,
        reason=row.reason,
        legal_basis=f"{BASIS}; Thông tư 91/2026/TT-BTC Điều 16",
    )


def list_stock(session: Session, actor: Actor) -> list[StockView]:
    require(actor, UserRole.CLERK, UserRole.ADMIN)
    stocks = session.scalars(
        select(PaperStock).order_by(
            PaperStock.template_symbol, PaperStock.series, PaperStock.from_number
        )
    ).all()
    return [_view(session, s) for s in stocks]


def list_destructions(session: Session, actor: Actor) -> list[DestructionNotice]:
    require(actor, UserRole.ADMIN)
    rows = session.execute(
        select(PaperDestruction, PaperStock)
        .join(PaperStock, PaperStock.id == PaperDestruction.stock_id)
        .order_by(PaperDestruction.id)
    ).all()
    return [_notice(d, s) for d, s in rows]
