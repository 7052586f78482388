"""Which template symbol and series a receipt is issued under, by its issue date.

Under Nghị định 254/2026/NĐ-CP and Thông tư 91/2026/TT-BTC (from 1 July 2026) the symbols are
set by law: template ``EBL01`` (Phụ lục II.2.a), series = the issue year's two digits + ``T`` +
the unit's two letters (Phụ lục II.2.b: ``26TVA``, then ``27TVA``), numbers restarting at 1
each 1 January (NĐ 254 Điều 23.2). The year's series is opened on its first receipt (a row of
``receipt_series``, audited); an administrator may still deactivate it. Before that date the
series the administrator registered are used (NĐ 123/2020 vendor practice), and a series must
carry the issue year: ``VA-26E`` is refused in 2027, where it would print "VA-26E / 0000001"
a second time.

A replacement (``carry_over``) names its predecessor's symbols; it is issued under the scheme
and the series of *its own* issue date: a 2026 receipt replaced in 2027 gets ``27TVA``.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from receipts.errors import SchemeError
from receipts.scheme import ReceiptScheme, scheme_for, series_letters

from .. import audit
from ..config import Settings
from ..db.models import ReceiptSeries
from ..db.types import utcnow
from ..errors import ValidationError
from ..units import unit_on
from .actors import Actor

NEW_SCHEME = "nd254_2026"


def _refuse(exc: SchemeError, code: str = "receipt_scheme") -> ValidationError:
    return ValidationError(exc.message_vi, exc.message_en, code=code)


def legal_symbols(
    settings: Settings,
    scheme: ReceiptScheme,
    *,
    day: dt.date,
    template_symbol: str | None,
    series: str | None,
    carry_over: bool,
) -> tuple[str, str]:
    """The (template symbol, series) the law gives a receipt issued on ``day`` under a scheme
    whose symbols are set by law. A caller's own symbols must be those (a successor's are
    translated: its letters kept, the year and template of ``day``)."""
    letters = unit_on(settings, on=day).series_letters
    if series and carry_over:
        # A successor keeps its predecessor's letters when the new scheme allows them
        # (TT 91 Phụ lục II.2.b has no F I J O W Z); otherwise the unit's.
        with contextlib.suppress(SchemeError):
            letters = scheme.check_letters(series_letters(series))
    try:
        scheme.check_letters(letters)
        wanted = (scheme.default_template_symbol, scheme.series(day.year, letters))
    except SchemeError as exc:
        raise _refuse(exc) from exc
    if not carry_over:
        if template_symbol and template_symbol != wanted[0]:
            raise ValidationError(
                f"Biên lai lập ngày {day:%d/%m/%Y} dùng ký hiệu mẫu {wanted[0]} "
                f"({scheme.name_vi}), không dùng {template_symbol}",
                f"A receipt issued on {day.isoformat()} uses template symbol {wanted[0]}, "
                f"not {template_symbol}",
                code="receipt_scheme",
            )
        if series and series != wanted[1]:
            raise ValidationError(
                f"Biên lai lập ngày {day:%d/%m/%Y} dùng ký hiệu {wanted[1]}, không dùng {series}",
                f"A receipt issued on {day.isoformat()} uses series {wanted[1]}, not {series}",
                code="receipt_scheme",
            )
    return wanted


def issuing_series(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    day: dt.date,
    template_symbol: str | None,
    series: str | None,
    carry_over: bool = False,
) -> ReceiptSeries:
    """The series row a receipt issued on ``day`` (Vietnam date) takes its number in."""
    scheme = scheme_for(day)
    if scheme.code != NEW_SCHEME:
        return _registered(session, scheme, day, template_symbol, series)
    symbol, code = legal_symbols(
        settings,
        scheme,
        day=day,
        template_symbol=template_symbol,
        series=series,
        carry_over=carry_over,
    )
    # Two clerks may issue the year's first receipts at once: insert-or-nothing, then read.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    opened = session.execute(
        insert(ReceiptSeries)
        .values(template_symbol=symbol, series=code, active=True, created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(ReceiptSeries.id)
    ).scalar_one_or_none()
    if opened is not None:
        audit.append(
            session,
            actor=actor.label,
            action="series.open",
            subject=f"series:{opened}",
            details={"template_symbol": symbol, "series": code, "scheme": scheme.code},
        )
    row = session.scalars(
        select(ReceiptSeries).where(
            ReceiptSeries.template_symbol == symbol, ReceiptSeries.series == code
        )
    ).one()
    if not row.active:
        raise ValidationError(
            f"Ký hiệu {symbol} · {code} đã ngừng sử dụng",
            f"Series {symbol} · {code} is inactive",
            code="no_receipt_series",
        )
    return row


def _fits(scheme: ReceiptScheme, row: ReceiptSeries, day: dt.date) -> bool:
    try:
        scheme.check_template_symbol(row.template_symbol)
        scheme.check_series(row.series, issue_date=day)
    except SchemeError:
        return False
    return True


def _registered(
    session: Session,
    scheme: ReceiptScheme,
    day: dt.date,
    template_symbol: str | None,
    series: str | None,
) -> ReceiptSeries:
    """The one active registered series of ``scheme`` for the year of ``day``."""
    stmt = select(ReceiptSeries).where(ReceiptSeries.active.is_(True))
    if template_symbol:
        stmt = stmt.where(ReceiptSeries.template_symbol == template_symbol)
    if series:
        stmt = stmt.where(ReceiptSeries.series == series)
    candidates = session.scalars(stmt.order_by(ReceiptSeries.id)).all()
    found = [row for row in candidates if _fits(scheme, row, day)]
    if len(found) == 1:
        return found[0]
    if candidates and not found:
        raise ValidationError(
            f"Ký hiệu đã chọn không dùng được cho biên lai lập ngày {day:%d/%m/%Y} "
            f"({scheme.name_vi}; ký hiệu phải mang năm lập)",
            f"The chosen series cannot be used on {day.isoformat()} (scheme {scheme.code}; "
            "the series carries the issue year)",
            code="series_year",
        )
    if not found:
        raise ValidationError(
            "Không có ký hiệu biên lai đang dùng phù hợp; quản trị viên cần khai báo",
            "No active receipt series matches; an administrator must register one",
            code="no_receipt_series",
        )
    raise ValidationError(
        "Có nhiều ký hiệu biên lai đang dùng: hãy chọn mẫu số và ký hiệu",
        "Several active series: choose the template symbol and series",
        code="ambiguous_receipt_series",
    )


def adjustment_refusal(issued_on: dt.date) -> ValidationError | None:
    """Why no adjustment receipt may be issued for a receipt issued on ``issued_on``: none
    under NĐ 254/2026 (TT 91/2026 Điều 20: replacement or notice 04/SS-CTĐT); None when the
    receipt's own scheme allowed it."""
    scheme = scheme_for(issued_on)
    if scheme.adjustment_allowed:
        return None
    return ValidationError(
        f"Không lập biên lai điều chỉnh cho biên lai theo {scheme.name_vi} (Thông tư 91/2026/"
        "TT-BTC, Điều 20): sai số tiền hoặc mã số thuế thì lập biên lai thay thế; sai sót khác "
        "thì thông báo theo Mẫu 04/SS-CTĐT",
        "No adjustment receipts under Decree 254/2026 (Circular 91/2026, art. 20): replace the "
        "receipt for an amount or tax-code error, file notice 04/SS-CTĐT for any other error",
        code="adjustment_not_allowed",
    )
