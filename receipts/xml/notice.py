"""The notice of an erroneous e-receipt, Mẫu 04/SS-CTĐT (Thông tư 91/2026/TT-BTC, Điều 20), as
a signed XML data message like the receipt's (:mod:`.build`, :mod:`.sign`): an error other than
in the amount or the tax code is corrected by notifying, not by a new receipt.

The schema is the repository's own (``schema/thong-bao-sai-sot-1.0.xsd``), flagged unverified.
The data part carries ``Id="data"``; the signature goes in ``DSCKS/TCThu``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import XmlReceiptError
from ..scheme import ErrorKind
from .build import DATA_ID, SCHEMA_VERSION, _sub, parse

NOTICE_SCHEMA_PATH = Path(__file__).parent / "schema" / f"thong-bao-sai-sot-{SCHEMA_VERSION}.xsd"
NOTICE_FORM = "04/SS-CTĐT"
NOTICE_TITLE = "Thông báo biên lai điện tử có sai sót"
NOTICE_ERRORS = frozenset(
    {ErrorKind.PAYER_NAME, ErrorKind.PAYER_ADDRESS, ErrorKind.AMOUNT_IN_WORDS, ErrorKind.OTHER}
)
"""TT 91/2026 Điều 20: the errors a notice corrects (amount and tax code need a replacement)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlNoticeItem:
    template_symbol: str
    series: str
    number: int
    issue_date: dt.date
    error: ErrorKind
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlNotice:
    unit_name: str
    unit_tax_code: str
    place: str
    """The place of the date line (NĐ 30/2020): ``Chu Văn An``."""
    notice_date: dt.date
    items: tuple[XmlNoticeItem, ...]


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(NOTICE_SCHEMA_PATH)))


def build_notice_xml(notice: XmlNotice) -> bytes:
    """The unsigned XML of ``notice`` (UTF-8), valid against its XSD."""
    if not notice.items:
        raise XmlReceiptError("Thông báo phải có ít nhất một biên lai / a notice names a receipt")
    for item in notice.items:
        if item.error not in NOTICE_ERRORS:
            raise XmlReceiptError(
                f"Sai sót “{item.error.value}” phải lập biên lai thay thế, không thông báo "
                "(Thông tư 91/2026/TT-BTC, Điều 20)",
                message_en=f"a {item.error.value} error needs a replacement receipt, not a notice",
                code="notice_not_for_this_error",
            )
    root = etree.Element("TBao")
    data = _sub(root, "DLTBao")
    data.set("Id", DATA_ID)
    _sub(data, "PBan", SCHEMA_VERSION)
    _sub(data, "MSo", NOTICE_FORM)
    _sub(data, "Ten", NOTICE_TITLE)
    unit = _sub(data, "TCThu")
    _sub(unit, "Ten", notice.unit_name)
    _sub(unit, "MST", notice.unit_tax_code)
    _sub(data, "DDanh", notice.place)
    _sub(data, "NTBao", notice.notice_date.isoformat())
    items = _sub(data, "DSBLai")
    for index, item in enumerate(notice.items, start=1):
        el = _sub(items, "BLai")
        _sub(el, "STT", index)
        _sub(el, "KHMSBLai", item.template_symbol)
        _sub(el, "KHBLai", item.series)
        _sub(el, "SBLai", item.number)
        _sub(el, "NLap", item.issue_date.isoformat())
        _sub(el, "LSSot", item.error.value)
        _sub(el, "LDo", item.reason)
    _sub(_sub(root, "DSCKS"), "TCThu")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    problems = notice_schema_errors(xml)
    if problems:
        raise XmlReceiptError(
            "XML thông báo không hợp lệ / invalid notice XML: " + "; ".join(problems)
        )
    return xml


def notice_schema_errors(xml: bytes) -> tuple[str, ...]:
    root = parse(xml)
    schema = _schema()
    if not schema.validate(root):
        return tuple(f"line {e.line}: {e.message}" for e in schema.error_log)
    return ()
