"""What an e-receipt (biên lai thu phí, lệ phí điện tử) says: the input of ``render_receipt``.

Every model checks itself when it is built (texts NFC and within :class:`~receipts.text.Limit`,
amounts non-negative ints, each line's amount = quantity × unit price unless exempt; the total
is a property, the sum of the lines), so an invalid receipt raises
:class:`~receipts.errors.DocumentError` before any PDF exists. What depends on the page
(whether the QR text fits, whether the fonts have every character) is checked by
``render_receipt`` before it draws anything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from ..fees import FeeLine, total_of
from ..scheme import number_text
from ..text import (
    Limit,
    check_amount,
    check_aware,
    check_choice,
    check_int,
    check_pattern,
    clean_optional,
    clean_text,
    fail,
)

MAX_NUMBER = 99_999_999  # 8 digits at most (NĐ 254/2026 Điều 23.2); 7 under NĐ 123/2020
MAX_LINES = 100
MAX_QUANTITY = 10_000

_TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
_SYMBOL = re.compile(r"[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\-]*")


def _set(obj: object, name: str, value: object) -> None:
    # frozen dataclasses normalise their own fields once, in __post_init__
    object.__setattr__(obj, name, value)


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    ONLINE = "online"

    @property
    def label(self) -> str:
        """How the receipt prints it."""
        return {
            PaymentMethod.CASH: "Tiền mặt",
            PaymentMethod.BANK_TRANSFER: "Chuyển khoản",
            PaymentMethod.ONLINE: "Thanh toán trực tuyến",
        }[self]


class ReferenceKind(StrEnum):
    REPLACES = "replaces"
    ADJUSTS = "adjusts"


@dataclass(frozen=True, kw_only=True)
class CollectingUnit:
    """The unit that collects the fee (đơn vị thu phí, lệ phí)."""

    name: str
    tax_code: str
    address: str

    def __post_init__(self) -> None:
        _set(
            self,
            "name",
            clean_text(self.name, label="Tên đơn vị thu", field="unit.name", limit=Limit.NAME),
        )
        tax = clean_text(
            self.tax_code, label="Mã số thuế", field="unit.tax_code", limit=Limit.SYMBOL
        )
        _set(
            self,
            "tax_code",
            check_pattern(
                tax, _TAX_CODE, label="Mã số thuế", field="unit.tax_code", example="0800123456"
            ),
        )
        _set(
            self,
            "address",
            clean_text(
                self.address, label="Địa chỉ đơn vị thu", field="unit.address", limit=Limit.ADDRESS
            ),
        )


@dataclass(frozen=True, kw_only=True)
class Payer:
    """The person who pays (người nộp phí, lệ phí)."""

    name: str
    address: str
    dossier_code: str | None = None

    def __post_init__(self) -> None:
        _set(
            self,
            "name",
            clean_text(self.name, label="Tên người nộp", field="payer.name", limit=Limit.NAME),
        )
        _set(
            self,
            "address",
            clean_text(
                self.address, label="Địa chỉ người nộp", field="payer.address", limit=Limit.ADDRESS
            ),
        )
        _set(
            self,
            "dossier_code",
            clean_optional(
                self.dossier_code, label="Mã hồ sơ", field="payer.dossier_code", limit=Limit.CODE
            ),
        )


@dataclass(frozen=True, kw_only=True)
class ReceiptReference:
    """The receipt this one replaces or adjusts, and why."""

    kind: ReferenceKind
    template_symbol: str
    series: str
    number: int
    issued_on: dt.date
    reason: str

    def __post_init__(self) -> None:
        _set(
            self,
            "kind",
            check_choice(ReferenceKind, self.kind, label="Loại tham chiếu", field="reference.kind"),
        )
        _set(
            self,
            "template_symbol",
            _symbol(self.template_symbol, "Mẫu số biên lai gốc", "reference.template_symbol"),
        )
        _set(self, "series", _symbol(self.series, "Ký hiệu biên lai gốc", "reference.series"))
        check_int(
            self.number,
            label="Số biên lai gốc",
            field="reference.number",
            minimum=1,
            maximum=MAX_NUMBER,
        )
        if not isinstance(self.issued_on, dt.date):
            raise fail(
                "Ngày của biên lai gốc phải là ngày",
                "issued_on must be a date",
                code="invalid_type",
            )
        _set(
            self,
            "reason",
            clean_text(self.reason, label="Lý do", field="reference.reason", limit=Limit.REASON),
        )


def _symbol(value: object, label: str, field: str) -> str:
    text = clean_text(value, label=label, field=field, limit=Limit.SYMBOL)
    return check_pattern(text, _SYMBOL, label=label, field=field, example="01BLP0-001, VA-24E")


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """An e-receipt as issued: everything printed on it.

    ``qr_text`` is the verification URL (``https://host/v/<token>#<seal>``), printable ASCII.
    ``issued_at`` must be timezone-aware; it prints in Vietnam time (UTC+7).
    """

    unit: CollectingUnit
    template_symbol: str
    series: str
    number: int
    payer: Payer
    lines: tuple[FeeLine, ...]
    payment_method: PaymentMethod
    issued_at: dt.datetime
    clerk_name: str
    qr_text: str
    reference: ReceiptReference | None = None
    cancelled: bool = False
    title: str = "BIÊN LAI THU PHÍ, LỆ PHÍ"

    def __post_init__(self) -> None:
        _set(self, "template_symbol", _symbol(self.template_symbol, "Mẫu số", "template_symbol"))
        _set(self, "series", _symbol(self.series, "Ký hiệu", "series"))
        check_int(self.number, label="Số biên lai", field="number", minimum=1, maximum=MAX_NUMBER)
        _set(self, "lines", tuple(self.lines))
        if not self.lines:
            raise fail(
                "Biên lai phải có ít nhất một khoản thu",
                "the fee list is empty",
                code="no_fee_lines",
            )
        if len(self.lines) > MAX_LINES:
            raise fail(
                f"Biên lai có quá {MAX_LINES} khoản thu",
                f"more than {MAX_LINES} lines",
                code="too_many_lines",
            )
        check_amount(self.total, label="Tổng cộng", field="total")
        _set(
            self,
            "payment_method",
            check_choice(
                PaymentMethod,
                self.payment_method,
                label="Hình thức thanh toán",
                field="payment_method",
            ),
        )
        check_aware(self.issued_at, label="Thời điểm thu", field="issued_at")
        _set(
            self,
            "clerk_name",
            clean_text(
                self.clerk_name, label="Người thu tiền", field="clerk_name", limit=Limit.NAME
            ),
        )
        _set(self, "qr_text", check_qr_text(self.qr_text))
        _set(
            self,
            "title",
            clean_text(self.title, label="Tên biên lai", field="title", limit=Limit.TITLE),
        )
        if not isinstance(self.cancelled, bool):
            raise fail(
                "cancelled phải là True/False", "cancelled must be a bool", code="invalid_type"
            )

    @property
    def total(self) -> int:
        return total_of(self.lines)

    @property
    def number_text(self) -> str:
        return number_text(self.template_symbol, self.number)


_QR_TEXT = re.compile(r"[\x21-\x7e]+")


def check_qr_text(value: object) -> str:
    """A QR text is printable ASCII without spaces (a URL), at most ``Limit.QR_TEXT`` long."""
    text = clean_text(value, label="Nội dung mã QR", field="qr_text", limit=Limit.QR_TEXT)
    if not _QR_TEXT.fullmatch(text):
        raise fail(
            "Nội dung mã QR phải là URL gồm ký tự ASCII in được, không có khoảng trắng",
            "QR text must be printable ASCII without spaces (percent-encode the rest)",
            code="invalid_qr_text",
        )
    return text
