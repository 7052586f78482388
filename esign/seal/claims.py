"""The facts a seal states about a document, and their CBOR map.

Small integer keys keep the map short (each key is one byte). The map is encoded in the core
deterministic form of RFC 8949 §4.2 (shortest lengths, keys sorted), so the same facts always
give the same bytes::

    1  unit tax code        tstr   "0800123456" or "0800123456-001" (a dependent unit)
    2  kind                 uint   1 receipt, 2 result document
    3  template symbol      tstr   receipts: "01BLP0-001"; results: optional
    4  series               tstr   receipts: "VA-26E"; results: optional
    5  number               uint   receipts: 1234 (printed 00001234 from 1/7/2026, 0001234
                                   before; at most 8 digits, NĐ 254/2026 Điều 23.2)
                            tstr   results: the document number, "15/2026/XNTTHN"
    6  date                 uint   days since 1970-01-01 of the issue date in Vietnam time
                                   (3 bytes; RFC 8943's tag 100 would add 2 bytes for nothing)
    7  total                uint   đồng; receipts only
    8  payer, masked        tstr   "B** T** T****" (names.mask_name); the seal is public
    9  PDF SHA-256          bstr   32 bytes, the unsigned PDF as laid out, before signing
   10  XML SHA-256          bstr   32 bytes, the signed XML original of a receipt issued under
                                   NĐ 254/2026 (TT 91/2026 Điều 18); absent from older seals,
                                   which stay valid without it

A decoder refuses unknown keys: a verifier must not call genuine a statement it cannot show.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from .errors import InvalidSealClaims
from .names import is_masked

EPOCH = dt.date(1970, 1, 1)
FIRST_DATE = dt.date(2000, 1, 1)  # no e-receipt predates this; keeps the day count positive
LAST_DATE = dt.date(2199, 12, 31)
MAX_RECEIPT_NUMBER = 99_999_999  # at most 8 digits (NĐ 254/2026 Điều 23.2; 7 before 1/7/2026)
MAX_TOTAL = 10**12  # đồng; far above any ward fee, bounds the seal's size
MAX_TEXT = 60  # characters of a symbol, series or document number
MAX_NAME = 80

_TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
_SYMBOL = re.compile(r"[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\-]*")
_DOC_NUMBER = re.compile(r"[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\- ]*")


class DocumentKind(IntEnum):
    RECEIPT = 1
    RESULT = 2

    @property
    def label_vi(self) -> str:
        return "Biên lai thu phí, lệ phí" if self is DocumentKind.RECEIPT else "Văn bản kết quả"


class Field(IntEnum):
    TAX_CODE = 1
    KIND = 2
    TEMPLATE_SYMBOL = 3
    SERIES = 4
    NUMBER = 5
    DATE = 6
    TOTAL = 7
    PAYER = 8
    PDF_SHA256 = 9
    XML_SHA256 = 10


def _invalid(vi: str, en: str) -> InvalidSealClaims:
    return InvalidSealClaims(vi, en)


Label = tuple[str, str]  # (Vietnamese, English)


def _text(value: object, pattern: re.Pattern[str] | None, *, label: Label, limit: int) -> str:
    vi, en = label
    if not isinstance(value, str):
        raise _invalid(f"{vi}: phải là chuỗi ký tự", f"{en}: must be a string")
    text = unicodedata.normalize("NFC", value)
    if not text or len(text) > limit or (pattern is not None and not pattern.fullmatch(text)):
        raise _invalid(f"{vi} không hợp lệ: {text!r}", f"invalid {en}: {text!r}")
    return text


def _int(value: object, *, label: Label, minimum: int, maximum: int) -> int:
    vi, en = label
    # bool is an int in Python; True must not pass as a receipt number.
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise _invalid(f"{vi} không hợp lệ: {value!r}", f"invalid {en}: {value!r}")
    return value


@dataclass(frozen=True, kw_only=True)
class SealClaims:
    """What the seal states. Strings are NFC; build with :func:`esign.seal.mask_name` for the payer.

    A receipt has an integer ``number`` and a ``total``; a result document has a string
    ``number`` (its document number) and no total.
    """

    unit_tax_code: str
    kind: DocumentKind
    number: int | str
    issued_on: dt.date
    payer_masked: str
    pdf_sha256: bytes
    template_symbol: str | None = None
    series: str | None = None
    total: int | None = None
    xml_sha256: bytes | None = None
    """The signed XML original's SHA-256 (receipts under NĐ 254/2026); None on older seals."""

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        put(
            "unit_tax_code",
            _text(self.unit_tax_code, _TAX_CODE, label=("MST", "tax code"), limit=14),
        )
        try:
            put("kind", DocumentKind(self.kind))
        except ValueError:
            raise _invalid("Loại văn bản không hợp lệ", "invalid document kind") from None
        receipt = self.kind is DocumentKind.RECEIPT
        for name, vi in (("template_symbol", "Mẫu số"), ("series", "Ký hiệu")):
            value = getattr(self, name)
            if value is None:
                if receipt:
                    raise _invalid(f"Biên lai phải có {vi}", f"a receipt needs its {name}")
            else:
                put(name, _text(value, _SYMBOL, label=(vi, name), limit=MAX_TEXT))
        if receipt:
            _int(
                self.number, label=("Số biên lai", "number"), minimum=1, maximum=MAX_RECEIPT_NUMBER
            )
            if self.total is None:
                raise _invalid("Biên lai phải có tổng tiền", "a receipt needs its total")
            _int(self.total, label=("Tổng tiền", "total"), minimum=0, maximum=MAX_TOTAL)
        else:
            put(
                "number",
                _text(self.number, _DOC_NUMBER, label=("Số văn bản", "number"), limit=MAX_TEXT),
            )
            if self.total is not None:
                raise _invalid("Văn bản kết quả không ghi tiền", "a result document has no total")
        if type(self.issued_on) is not dt.date:  # a datetime is a date too: refuse it
            raise _invalid("Ngày phải là một ngày (date)", "issued_on must be a date")
        if not FIRST_DATE <= self.issued_on <= LAST_DATE:
            raise _invalid(
                f"Ngày ngoài khoảng: {self.issued_on}", f"date {self.issued_on} out of range"
            )
        payer = _text(self.payer_masked, None, label=("Người nộp", "payer"), limit=MAX_NAME)
        if not is_masked(payer):
            raise _invalid(
                "Tên người nộp phải được che (mask_name) trước khi đưa vào con dấu QR",
                "the payer's name must be masked (mask_name) before it goes into a seal",
            )
        put("payer_masked", payer)
        if not isinstance(self.pdf_sha256, bytes) or len(self.pdf_sha256) != 32:
            raise _invalid("SHA-256 của PDF phải dài 32 byte", "pdf_sha256 must be 32 bytes")
        if self.xml_sha256 is not None:
            if not receipt:
                raise _invalid("Chỉ biên lai có bản XML", "only a receipt has an XML original")
            if not isinstance(self.xml_sha256, bytes) or len(self.xml_sha256) != 32:
                raise _invalid("SHA-256 của XML phải dài 32 byte", "xml_sha256 must be 32 bytes")

    def to_map(self) -> dict[int, Any]:
        m: dict[int, Any] = {
            Field.TAX_CODE: self.unit_tax_code,
            Field.KIND: int(self.kind),
            Field.NUMBER: self.number,
            Field.DATE: (self.issued_on - EPOCH).days,
            Field.PAYER: self.payer_masked,
            Field.PDF_SHA256: self.pdf_sha256,
        }
        if self.template_symbol is not None:
            m[Field.TEMPLATE_SYMBOL] = self.template_symbol
        if self.series is not None:
            m[Field.SERIES] = self.series
        if self.total is not None:
            m[Field.TOTAL] = self.total
        if self.xml_sha256 is not None:
            m[Field.XML_SHA256] = self.xml_sha256
        return {int(k): v for k, v in sorted(m.items())}

    @classmethod
    def from_map(cls, m: object) -> SealClaims:
        """The claims of a decoded payload map; :class:`InvalidSealClaims` when it is not one."""
        if not isinstance(m, dict):
            raise _invalid("Nội dung con dấu không phải một bảng", "the payload is not a map")
        known = {int(f) for f in Field}
        unknown = [k for k in m if not (isinstance(k, int) and k in known)]
        if unknown:
            raise _invalid(f"Trường lạ trong con dấu: {unknown!r}", f"unknown fields {unknown!r}")
        for required in (
            Field.TAX_CODE,
            Field.KIND,
            Field.NUMBER,
            Field.DATE,
            Field.PAYER,
            Field.PDF_SHA256,
        ):
            if required not in m:
                raise _invalid(f"Thiếu trường {int(required)}", f"field {int(required)} missing")
        days = _int(
            m[Field.DATE],
            label=("Ngày", "date"),
            minimum=(FIRST_DATE - EPOCH).days,
            maximum=(LAST_DATE - EPOCH).days,
        )
        return cls(
            unit_tax_code=m[Field.TAX_CODE],
            kind=DocumentKind(_int(m[Field.KIND], label=("Loại", "kind"), minimum=1, maximum=2)),
            number=m[Field.NUMBER],
            issued_on=EPOCH + dt.timedelta(days=days),
            payer_masked=m[Field.PAYER],
            pdf_sha256=m[Field.PDF_SHA256],
            template_symbol=m.get(Field.TEMPLATE_SYMBOL),
            series=m.get(Field.SERIES),
            total=m.get(Field.TOTAL),
            xml_sha256=m.get(Field.XML_SHA256),
        )
