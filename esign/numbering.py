"""Gapless receipt numbers per (template symbol, series, year).

The number is taken with ``UPDATE … SET last_number = last_number + 1 … RETURNING`` in the
transaction that stores the receipt: the row lock holds other issuers of the same series until
this transaction ends, and a rollback gives the number back. No sequence objects (they leave
gaps on rollback) and no ``MAX(number) + 1`` (two transactions can read the same maximum).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from receipts.errors import SchemeError
from receipts.scheme import load_schemes

from .db.models import ReceiptCounter
from .errors import ValidationError


def series_year(series: str) -> int | None:
    """The two-digit year a series carries (``VA-26E``, ``26TVA`` → 26); None for a series of
    no known scheme (an administrator's own)."""
    for scheme in load_schemes():
        try:
            return scheme.parse_series(series)[0]
        except SchemeError:
            continue
    return None


def take_number(session: Session, *, template_symbol: str, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``. A series carries its year (the numbers
    restart each 1 January, NĐ 254/2026 Điều 23.2): numbering ``VA-26E`` in 2027 would print
    "VA-26E / 0000001" a second time, so it is refused."""
    yy = series_year(series)
    if yy is not None and yy != year % 100:
        raise ValidationError(
            f"Ký hiệu {series} mang năm {yy:02d}, không cấp số cho năm {year}",
            f"Series {series} is of year {yy:02d}; it takes no numbers in {year}",
            code="series_year",
        )
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ReceiptCounter)
        .values(template_symbol=template_symbol, series=series, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    number = session.execute(
        update(ReceiptCounter)
        .where(
            ReceiptCounter.template_symbol == template_symbol,
            ReceiptCounter.series == series,
            ReceiptCounter.year == year,
        )
        .values(last_number=ReceiptCounter.last_number + 1)
        .returning(ReceiptCounter.last_number)
    ).scalar_one()
    return int(number)
