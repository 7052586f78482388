"""What the reports to the tax authority state: plain frozen data, built by the service from its
ledger, drawn here as XML (:mod:`.tax`) and as a spreadsheet (:mod:`receipts.xlsx`).

Forms: Mẫu 01/TH-BLĐT (the day's summary, NĐ 254/2026 Điều 29.3.b, TT 91/2026 Điều 4.6.d),
Mẫu 01/ĐKTĐ-CTĐT (registration of use, TT 91 Điều 17), Mẫu 04/SS-CTĐT (correction notice,
TT 91 Điều 20).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class RowState(enum.IntEnum):
    """``TThai`` of a summary row, with the e-invoice standard's codes (01/TH-HĐĐT)."""

    NEW = 0
    CANCELLED = 1
    ADJUSTMENT = 2
    REPLACEMENT = 3

    @property
    def label_vi(self) -> str:
        return _STATE_VI[self]


_STATE_VI = {
    RowState.NEW: "Mới",
    RowState.CANCELLED: "Hủy",
    RowState.ADJUSTMENT: "Điều chỉnh",
    RowState.REPLACEMENT: "Thay thế",
}

STATUS_VI = {
    "issued": "Đang hiệu lực",
    "cancelled": "Đã hủy",
    "replaced": "Đã bị thay thế",
    "adjusted": "Đã bị điều chỉnh",
}

RELATION_VI = {
    "replaces": "thay thế cho",
    "replaced_by": "bị thay thế bởi",
    "adjusts": "điều chỉnh cho",
    "adjusted_by": "bị điều chỉnh bởi",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxUnit:
    name: str
    tax_code: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptRef:
    template_symbol: str
    series: str
    number: int
    issued_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.template_symbol} / {self.series} / {self.number:07d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Related:
    relation: str
    """``replaces``, ``replaced_by``, ``adjusts``, ``adjusted_by`` (:data:`RELATION_VI`)."""
    receipt: ReceiptRef


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryRow:
    receipt: ReceiptRef
    payer_name: str
    fee_names: str
    total: int
    state: RowState
    status: str
    """The receipt's status when the summary was made (:data:`STATUS_VI`)."""
    related: tuple[Related, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeRow:
    notice_number: str
    notice_date: dt.date
    receipt: ReceiptRef
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryTotals:
    rows: int
    amount: int
    """Sum of every row's amount."""
    in_force: int
    """Rows whose receipt is still in force (status ``issued``)."""
    amount_in_force: int
    notices: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DailySummary:
    """Mẫu 01/TH-BLĐT for one Vietnam day: every receipt issued that day (its state and its
    related receipts), every receipt of an earlier day cancelled that day, the day's notices."""

    unit: TaxUnit
    day: dt.date
    sequence: int
    """1 for the first summary of the day, 2.. for supplements."""
    made_on: dt.date
    rows: tuple[SummaryRow, ...]
    notices: tuple[NoticeRow, ...]

    @property
    def totals(self) -> SummaryTotals:
        live = [r for r in self.rows if r.status == "issued" and r.state is not RowState.CANCELLED]
        return SummaryTotals(
            rows=len(self.rows),
            amount=sum(r.total for r in self.rows),
            in_force=len(live),
            amount_in_force=sum(r.total for r in live),
            notices=len(self.notices),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateEntry:
    issuer: str
    subject: str
    serial: str
    valid_from: dt.datetime
    valid_to: dt.datetime
    action: int = 1
    """1 add, 2 extend, 3 stop using (the e-invoice form's HThuc)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """Mẫu 01/ĐKTĐ-CTĐT: the unit registers (or changes) its use of e-receipts."""

    unit: TaxUnit
    made_on: dt.date
    change: bool
    contact_name: str
    contact_phone: str | None
    contact_email: str | None
    symbols: tuple[tuple[str, str], ...]
    """(template symbol, series) pairs in use."""
    certificates: tuple[CertificateEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeReport:
    """Mẫu 04/SS-CTĐT: receipts with an error other than the amount or tax code."""

    unit: TaxUnit
    made_on: dt.date
    notices: tuple[NoticeRow, ...]
