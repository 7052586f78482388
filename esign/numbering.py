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

from .db.models import ReceiptCounter


def take_number(session: Session, *, template_symbol: str, series: str, year: int) -> int:
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
