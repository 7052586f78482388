"""Checks every text and number goes through before a document is drawn.

Text is NFC-normalised and stripped; it may not contain control, format (bidi overrides,
zero-width), private-use, unassigned or line/paragraph-separator characters, and has a maximum
length per kind of field (:class:`Limit`). Texts within their limit always fit: long ones wrap
(see :mod:`receipts.pdf.wrap`). Errors are :class:`~receipts.errors.DocumentError` with a
message in Vietnamese (then English) that names the field, and a stable ``code``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from enum import Enum, IntEnum
from typing import TypeVar

from .calendar import VIETNAM_TZ
from .errors import DocumentError
from .money import MAX_AMOUNT

E = TypeVar("E", bound=Enum)


class Limit(IntEnum):
    """Maximum lengths, in characters after NFC."""

    CODE = 40  # dossier codes, document numbers
    SYMBOL = 20  # template symbol, series
    NAME = 150  # people and units: 120 characters must still wrap and print
    TITLE = 120  # an official's title line, a document title
    ADDRESS = 250
    FEE_NAME = 200
    LEGAL_BASIS = 300
    REASON = 300
    PARAGRAPH = 1500
    QR_TEXT = 1000


# Cc control, Cf format (zero-width, bidi overrides), Cs surrogates, Co private use, Cn
# unassigned, Zl/Zp line and paragraph separators: none of them prints as the clerk expects.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def fail(message_vi: str, message_en: str, *, code: str) -> DocumentError:
    return DocumentError(f"{message_vi} / {message_en}", code=code)


def clean_text(
    value: object, *, label: str, field: str, limit: Limit, required: bool = True
) -> str:
    """``value`` as NFC, stripped, checked; ``label`` is the Vietnamese name of the field."""
    if not isinstance(value, str):
        raise fail(
            f"{label}: phải là chuỗi ký tự",
            f"{field} must be a string, not {type(value).__name__}",
            code="invalid_type",
        )
    text = unicodedata.normalize("NFC", value).strip()
    for position, ch in enumerate(text, 1):
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            raise fail(
                f"{label} chứa ký tự điều khiển hoặc không in được (U+{ord(ch):04X}) "
                f"ở vị trí {position}",
                f"{field} contains a control or non-printing character U+{ord(ch):04X}",
                code="control_character",
            )
    if required and not text:
        raise fail(f"{label} không được để trống", f"{field} is empty", code="empty_text")
    if len(text) > limit:
        raise fail(
            f"{label} dài {len(text)} ký tự, vượt quá giới hạn {int(limit)} ký tự",
            f"{field} is {len(text)} characters long, the limit is {int(limit)}",
            code="text_too_long",
        )
    return text


def clean_optional(value: object, *, label: str, field: str, limit: Limit) -> str | None:
    """Like :func:`clean_text`, but ``None`` or blank gives ``None``."""
    if value is None:
        return None
    text = clean_text(value, label=label, field=field, limit=limit, required=False)
    return text or None


def check_pattern(
    text: str, pattern: re.Pattern[str], *, label: str, field: str, example: str
) -> str:
    if not pattern.fullmatch(text):
        raise fail(
            f"{label} không đúng định dạng: {text!r} (ví dụ: {example})",
            f"{field} is malformed: {text!r} (e.g. {example})",
            code="invalid_format",
        )
    return text


def check_int(value: object, *, label: str, field: str, minimum: int, maximum: int) -> int:
    """An ``int`` (not a bool, not a float) within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(
            f"{label} phải là số nguyên",
            f"{field} must be an int, not {type(value).__name__}",
            code="invalid_type",
        )
    if value < minimum or value > maximum:
        code = "negative_amount" if value < 0 else "out_of_range"
        raise fail(
            f"{label} = {value} nằm ngoài khoảng cho phép [{minimum}; {maximum}]",
            f"{field} = {value} is outside [{minimum}, {maximum}]",
            code=code,
        )
    return value


def check_amount(value: object, *, label: str, field: str) -> int:
    """A number of đồng: an int from 0 to :data:`~receipts.money.MAX_AMOUNT`."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise fail(
            f"{label} không được âm: {value}",
            f"{field} is negative: {value}",
            code="negative_amount",
        )
    return check_int(value, label=label, field=field, minimum=0, maximum=MAX_AMOUNT)


def check_choice(enum: type[E], value: object, *, label: str, field: str) -> E:
    """``value`` as a member of ``enum`` (by value), or a DocumentError listing the choices."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in enum)  # type: ignore[attr-defined]
        raise fail(
            f"{label} không hợp lệ: {value!r} (chọn một trong: {choices})",
            f"{field} must be one of {choices}, not {value!r}",
            code="invalid_choice",
        ) from None


def check_aware(value: object, *, label: str, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise fail(
            f"{label} phải là thời điểm (datetime)",
            f"{field} must be a datetime",
            code="invalid_type",
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise fail(
            f"{label} phải có múi giờ",
            f"{field} must be timezone-aware",
            code="naive_datetime",
        )
    return value


def check_glyphs(texts: list[str], available: frozenset[int]) -> None:
    """Every character of ``texts`` has a glyph in the fonts (else it would print as a box)."""
    for text in texts:
        for ch in text:
            if ord(ch) not in available:
                raise fail(
                    f"Ký tự {ch!r} (U+{ord(ch):04X}) trong {text[:40]!r} không có trong phông chữ",
                    f"character U+{ord(ch):04X} has no glyph in the document fonts",
                    code="missing_glyph",
                )


def strings_of(value: object) -> list[str]:
    """Every string inside ``value`` (nested dataclasses, tuples): what gets printed."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in strings_of(getattr(value, f.name))]
    if isinstance(value, tuple | list):
        return [s for item in value for s in strings_of(item)]
    return []


"""Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact."""


def in_vietnam(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VIETNAM_TZ)
