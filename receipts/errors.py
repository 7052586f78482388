"""Errors of the ``receipts`` package.

Every error raised on purpose by this package derives from :class:`ReceiptsError`, so a caller
(the CLI, the HTTP layer) catches one class and shows its message. Each has a stable ``code``
for machines and a message that a clerk can act on::

    ReceiptsError
    ├── CatalogError            a catalog file is malformed (names the file and the key)
    ├── UnknownProcedureError   no procedure with that code (names the closest codes)
    ├── QuoteInputError         pages/copies out of range, unknown exemption category, …
    ├── NoTariffInForceError    no tariff for that procedure is in force on the date
    ├── AmountError             an amount that cannot be written (negative, too large)
    ├── DocumentError           input a PDF document cannot be drawn from
    ├── SchemeError             a symbol, series or number the receipt scheme does not allow
    ├── CalendarError           the calendar data file is malformed
    └── XmlReceiptError         a receipt's XML cannot be built, is invalid, or its signature fails
"""

from __future__ import annotations


class ReceiptsError(Exception):
    """Base class of every error this package raises on purpose."""

    code: str = "receipts_error"

    def __init__(
        self, message: str, *, message_en: str | None = None, code: str | None = None
    ) -> None:
        """``message`` is Vietnamese, or "Vietnamese / English" when ``message_en`` is not given."""
        if message_en is None:
            message, _, message_en = message.partition(" / ")
        super().__init__(f"{message} / {message_en}" if message_en else message)
        self.message_vi = message
        self.message_en = message_en or message
        self.message = str(self)
        if code is not None:
            self.code = code


class CatalogError(ReceiptsError):
    code = "catalog_invalid"


class UnknownProcedureError(ReceiptsError):
    code = "unknown_procedure"

    def __init__(self, message: str, *, message_en: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, message_en=message_en)
        self.suggestions = suggestions


class QuoteInputError(ReceiptsError):
    code = "invalid_quote_input"


class NoTariffInForceError(ReceiptsError):
    code = "no_tariff_in_force"


class AmountError(ReceiptsError):
    code = "invalid_amount"


class DocumentError(ReceiptsError):
    code = "invalid_document"


class SchemeError(ReceiptsError):
    code = "invalid_receipt_scheme"


class CalendarError(ReceiptsError):
    code = "calendar_invalid"


class XmlReceiptError(ReceiptsError):
    code = "invalid_receipt_xml"
