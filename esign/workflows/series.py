"""Receipt template symbols and series the ward may issue (managed by the administrator)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import ReceiptSeries, UserRole
from ..errors import ConflictError, NotFoundError, ValidationError
from ..identifiers import SYMBOL
from .actors import Actor, require


def create_series(
    session: Session, actor: Actor, *, template_symbol: str, series: str
) -> ReceiptSeries:
    require(actor, UserRole.ADMIN, scope="users")
    template_symbol, series = template_symbol.strip().upper(), series.strip().upper()
    if not SYMBOL.match(template_symbol) or not SYMBOL.match(series):
        raise ValidationError(
            "Mẫu số và ký hiệu chỉ gồm chữ in hoa, số và dấu gạch (tối đa 20 ký tự)",
            "Template symbol and series: capitals, digits and dashes (20 characters at most)",
        )
    exists = session.scalar(
        select(ReceiptSeries).where(
            ReceiptSeries.template_symbol == template_symbol, ReceiptSeries.series == series
        )
    )
    if exists is not None:
        raise ConflictError("Ký hiệu này đã có", "This series exists")
    row = ReceiptSeries(template_symbol=template_symbol, series=series, active=True)
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="series.create",
        subject=f"series:{row.id}",
        details={"template_symbol": template_symbol, "series": series},
    )
    return row


def list_series(session: Session) -> list[ReceiptSeries]:
    return list(session.scalars(select(ReceiptSeries).order_by(ReceiptSeries.id)))


def set_series_active(
    session: Session, actor: Actor, series_id: int, *, active: bool
) -> ReceiptSeries:
    require(actor, UserRole.ADMIN, scope="users")
    row = session.get(ReceiptSeries, series_id)
    if row is None:
        raise NotFoundError("Không có ký hiệu này", "No such series")
    row.active = active
    audit.append(
        session,
        actor=actor.label,
        action="series.activate" if active else "series.deactivate",
        subject=f"series:{row.id}",
    )
    return row
