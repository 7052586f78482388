"""Building the XML of an e-receipt and checking it against the repository's XSD.

Amounts in words follow :func:`receipts.money.amount_in_words` (the convention of the receipt's
PDF). The data part carries ``Id="data"``: the signature references it (:mod:`.sign`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import ReceiptsError, XmlReceiptError
from ..money import amount_in_words
from ..scheme import scheme_for
from .model import XmlParty, XmlReceipt

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).parent / "schema" / f"bien-lai-{SCHEMA_VERSION}.xsd"
DATA_ID = "data"


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _sub(parent: etree._Element, tag: str, text: str | int | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = _nfc(text) if isinstance(text, str) else str(text)
    return el


def _party(parent: etree._Element, tag: str, party: XmlParty) -> None:
    el = _sub(parent, tag)
    _sub(el, "Ten", party.name)
    if party.tax_code:
        _sub(el, "MST", party.tax_code)
    if party.address:
        _sub(el, "DChi", party.address)


def _check_consistent(r: XmlReceipt) -> None:
    scheme = scheme_for(r.issue_date)
    try:
        scheme.check_template_symbol(r.template_symbol)
        scheme.check_series(r.series, issue_date=r.issue_date)
        scheme.check_number(r.number)
    except ReceiptsError as exc:
        raise XmlReceiptError(exc.message_vi, message_en=exc.message_en) from exc
    if not r.lines:
        raise XmlReceiptError("Biên lai không có khoản thu / a receipt has at least one line")
    for line in r.lines:
        if line.amount != line.quantity * line.unit_price and line.amount != 0:
            raise XmlReceiptError(
                f"Khoản “{line.name}”: số tiền khác số lượng × đơn giá / amount ≠ quantity × price"
            )


def build_receipt_xml(receipt: XmlReceipt) -> bytes:
    """The unsigned XML of ``receipt`` (UTF-8), valid against the XSD."""
    _check_consistent(receipt)
    scheme = scheme_for(receipt.issue_date)
    root = etree.Element("BLai")
    data = _sub(root, "DLBLai")
    data.set("Id", DATA_ID)
    general = _sub(data, "TTChung")
    _sub(general, "PBan", SCHEMA_VERSION)
    _sub(general, "TBLai", receipt.title)
    _sub(general, "KHMSBLai", receipt.template_symbol)
    _sub(general, "KHBLai", receipt.series)
    _sub(general, "SBLai", receipt.number)
    _sub(general, "NLap", receipt.issue_date.isoformat())
    _sub(general, "DVTTe", "VND")
    _sub(general, "CDo", scheme.code)
    if receipt.replaces is not None:
        rel = _sub(general, "BLLQuan")
        _sub(rel, "KHMSBLai", receipt.replaces.template_symbol)
        _sub(rel, "KHBLai", receipt.replaces.series)
        _sub(rel, "SBLai", receipt.replaces.number)
        _sub(rel, "NLap", receipt.replaces.issue_date.isoformat())
    content = _sub(data, "NDBLai")
    unit = _sub(content, "TCThu")
    _sub(unit, "Ten", receipt.unit.name)
    if not receipt.unit.tax_code:
        raise XmlReceiptError("Thiếu mã số thuế của tổ chức thu / the unit's tax code is mandatory")
    _sub(unit, "MST", receipt.unit.tax_code)
    if receipt.unit.address:
        _sub(unit, "DChi", receipt.unit.address)
    if receipt.payer is not None:
        _party(content, "NNop", receipt.payer)
    lines = _sub(content, "DSKhoan")
    for index, line in enumerate(receipt.lines, start=1):
        el = _sub(lines, "Khoan")
        _sub(el, "STT", index)
        _sub(el, "TKhoan", line.name)
        _sub(el, "LKhoan", line.charge)
        _sub(el, "SLuong", line.quantity)
        _sub(el, "DGia", line.unit_price)
        _sub(el, "STien", line.amount)
        _sub(el, "STChu", amount_in_words(line.amount))
        if line.legal_basis:
            _sub(el, "CCu", line.legal_basis)
    total = _sub(content, "TToan")
    _sub(total, "TgTien", receipt.total)
    _sub(total, "TgTChu", amount_in_words(receipt.total))
    if receipt.payment_method:
        _sub(content, "HTTToan", receipt.payment_method)
    _sub(_sub(root, "DSCKS"), "TCThu")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    validate_receipt_xml(xml)
    return xml


def parse(xml: bytes) -> etree._Element:
    """Parse without network access, entities or DTDs (the XML may come from anyone)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise XmlReceiptError(f"XML không đọc được: {exc} / unreadable XML") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # A receipt never has a DTD; entities are a way to make the signed text differ from
        # the displayed one, or to exhaust memory.
        raise XmlReceiptError("XML biên lai không được có DOCTYPE / no DOCTYPE allowed")
    return root


def schema_errors(xml: bytes) -> tuple[str, ...]:
    """What the XSD finds wrong, then what it cannot say (totals, words, the scheme's symbols)."""
    root = parse(xml)
    schema = _schema()
    if not schema.validate(root):
        return tuple(f"line {e.line}: {e.message}" for e in schema.error_log)
    problems: list[str] = []
    amounts = [int(x) for x in root.xpath("/BLai/DLBLai/NDBLai/DSKhoan/Khoan/STien/text()")]
    words = [str(x) for x in root.xpath("/BLai/DLBLai/NDBLai/DSKhoan/Khoan/STChu/text()")]
    for i, (amount, text) in enumerate(zip(amounts, words, strict=True), start=1):
        if text != amount_in_words(amount):
            problems.append(f"Khoan {i}: STChu does not say STien ({amount})")
    total = int(str(root.findtext("DLBLai/NDBLai/TToan/TgTien")))
    if total != sum(amounts):
        problems.append(f"TgTien {total} is not the sum of the lines ({sum(amounts)})")
    if root.findtext("DLBLai/NDBLai/TToan/TgTChu") != amount_in_words(total):
        problems.append("TgTChu does not say TgTien")
    day = dt.date.fromisoformat(str(root.findtext("DLBLai/TTChung/NLap")))
    scheme = scheme_for(day)
    try:
        scheme.check_template_symbol(str(root.findtext("DLBLai/TTChung/KHMSBLai")))
        scheme.check_series(str(root.findtext("DLBLai/TTChung/KHBLai")), issue_date=day)
        scheme.check_number(int(str(root.findtext("DLBLai/TTChung/SBLai"))))
    except ReceiptsError as exc:
        problems.append(exc.message_en)
    if root.findtext("DLBLai/TTChung/CDo") != scheme.code:
        problems.append(f"CDo is not {scheme.code}, the scheme of {day.isoformat()}")
    return tuple(problems)


def validate_receipt_xml(xml: bytes) -> None:
    """Raise :class:`XmlReceiptError` unless ``xml`` is a valid receipt (XSD and arithmetic)."""
    problems = schema_errors(xml)
    if problems:
        raise XmlReceiptError(
            "XML biên lai không hợp lệ: " + "; ".join(problems),
            message_en="invalid receipt XML: " + "; ".join(problems),
        )


def xml_digest(xml: bytes) -> str:
    """SHA-256 (hex) of the signed XML's bytes, for the QR seal and the PDF to name it."""
    return hashlib.sha256(xml).hexdigest()
