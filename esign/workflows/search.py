"""Finding things as a clerk types them: procedures by part of their name, receipts by number,
payer, dossier and date range. Names match without diacritics (``Nguyen`` finds ``Nguyễn``,
``do`` finds ``Đỗ``): both sides are folded by :func:`fold`.

The payer match runs in Python over the rows the other filters (and a row cap) leave: SQLite
and PostgreSQL fold Vietnamese differently (or not at all), and one rule for both is worth more
than an index here; a day or a month of a ward's receipts is a few thousand rows.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Catalog, Procedure

from ..db.models import Dossier, Receipt
from ..errors import ValidationError

SCAN_LIMIT = 5000
"""At most this many rows are folded for one payer search (newest first)."""


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: the form both sides are compared in."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def _matches(words: list[str], haystack: str) -> bool:
    return all(w in haystack for w in words)


def find_procedures(catalog: Catalog, typed: str, *, limit: int = 20) -> list[Procedure]:
    """Procedures whose code starts with, or whose name (Vietnamese or English) holds every
    word of, what was typed; the exact code first."""
    words = fold(typed).split()
    if not words:
        return []
    code = typed.strip().upper()
    found: list[Procedure] = []
    for proc in catalog.procedures.values():
        names = f"{fold(proc.name_vi)} {fold(proc.name_en)} {proc.code.lower()}"
        if proc.code.startswith(code) or _matches(words, names):
            found.append(proc)
    found.sort(key=lambda p: (p.code != code, not p.code.startswith(code), p.name_vi))
    return found[:limit]


def resolve_procedure(catalog: Catalog, typed: str) -> Procedure:
    """The one procedure meant by what was typed: its code, ``CODE · name`` (the picker's
    value) or a part of its name that only one procedure has."""
    typed = typed.strip()
    if not typed:
        raise ValidationError("Hãy chọn thủ tục", "Choose a procedure", code="procedure")
    head = typed.split("·", 1)[0].strip().upper()
    if head in catalog.procedures:
        return catalog.procedures[head]
    found = find_procedures(catalog, typed, limit=50)
    if len(found) == 1:
        return found[0]
    # Several hold every word: the one whose name holds them as typed, in order, or starts so.
    phrase = fold(typed)
    for narrower in (
        [p for p in found if phrase in fold(p.name_vi)],
        [p for p in found if fold(p.name_vi).startswith(phrase)],
    ):
        if len(narrower) == 1:
            return narrower[0]
    if not found:
        raise ValidationError(
            f"Không tìm thấy thủ tục nào khớp “{typed}”",
            f"No procedure matches {typed!r}",
            code="procedure",
        )
    names = "; ".join(p.name_vi for p in found[:4]) + ("; …" if len(found) > 4 else "")
    raise ValidationError(
        f"Có {len(found)} thủ tục khớp “{typed}”: hãy gõ cụ thể hơn ({names})",
        f"{len(found)} procedures match {typed!r}: be more specific",
        code="procedure",
    )


def parse_receipt_number(typed: str) -> int | None:
    """``12``, ``00000012`` or ``…/00000012``: the number; None when nothing was typed."""
    typed = typed.strip()
    if not typed:
        return None
    last = typed.rsplit("/", 1)[-1].strip()
    if not (last.isascii() and last.isdigit()) or len(last) > 8:
        raise ValidationError(
            "Số biên lai gồm tối đa 8 chữ số", "A receipt number has up to 8 digits", code="number"
        )
    return int(last)


@dataclass(frozen=True, slots=True)
class ReceiptQuery:
    number: int | None = None
    payer: str = ""
    """A part of the payer's name, with or without diacritics."""
    dossier: str = ""
    """A part of the dossier's code (``HS-261201-…``)."""
    date_from: dt.date | None = None
    """Vietnam days, inclusive."""
    date_to: dt.date | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError(
                "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc",
                "The start date must not be after the end date",
                code="date_to",
            )

    @property
    def empty(self) -> bool:
        return (
            self.number is None
            and not self.payer.strip()
            and not self.dossier.strip()
            and self.date_from is None
            and self.date_to is None
        )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), VIETNAM_TZ)


def search_receipts(session: Session, query: ReceiptQuery) -> list[Receipt]:
    """Newest first, at most ``query.limit``."""
    if query.empty:
        return []
    stmt = select(Receipt)
    if query.number is not None:
        stmt = stmt.where(Receipt.number == query.number)
    if query.date_from:
        stmt = stmt.where(Receipt.issued_at >= _midnight(query.date_from))
    if query.date_to:
        stmt = stmt.where(Receipt.issued_at < _midnight(query.date_to + dt.timedelta(days=1)))
    if query.dossier.strip():
        codes = select(Dossier.id).where(Dossier.code.contains(query.dossier.strip().upper()))
        stmt = stmt.where(Receipt.dossier_id.in_(codes))
    words = fold(query.payer).split()
    if not words:
        return list(session.scalars(stmt.order_by(Receipt.id.desc()).limit(query.limit)))
    found: list[Receipt] = []
    for receipt in session.scalars(stmt.order_by(Receipt.id.desc()).limit(SCAN_LIMIT)):
        if _matches(words, fold(receipt.payer_name)):
            found.append(receipt)
            if len(found) >= query.limit:
                break
    return found
