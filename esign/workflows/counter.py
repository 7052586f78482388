"""What the counter offers to choose: the receipt series a clerk may pick for a receipt issued
on a given day. Under NĐ 254/2026 (from 1 July 2026) the law sets the one series
(:func:`scheme.issuing_series`): nothing to choose. Before, the administrator's registered
active series that carry the day's year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.scheme import scheme_for

from ..db.models import ReceiptSeries
from .scheme import NEW_SCHEME, _fits


def series_choices(session: Session, *, day: dt.date) -> list[tuple[str, str]]:
    """(template symbol, series) pairs a clerk may pick on ``day``; empty when the law sets it."""
    scheme = scheme_for(day)
    if scheme.code == NEW_SCHEME:
        return []
    rows = session.scalars(
        select(ReceiptSeries).where(ReceiptSeries.active.is_(True)).order_by(ReceiptSeries.id)
    )
    return [(r.template_symbol, r.series) for r in rows if _fits(scheme, r, day)]
