"""One page of a list and the total it is taken from: what every list endpoint answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    count: int
    """How many rows match, on every page."""

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(i) for i in self.items], self.count)


def page_of(
    session: Session, stmt: Select[T], *, order_by: Any, offset: int, limit: int
) -> Page[T]:
    """``stmt``'s rows ``offset``..``offset+limit`` (limit clamped to 1..200) and their count."""
    limit = max(1, min(limit, MAX_LIMIT))
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(order_by).offset(max(0, offset)).limit(limit)).all()
    return Page(list(rows), count)
