"""The reports to the tax authority as XML data messages: build, check, sign, verify.

One XSD of ours holds the two forms (``schema/bao-cao-thue-1.0.xsd``, flagged unverified like
the receipt's): ``BTHDLieu`` (01/TH-BLĐT) and ``TKhai`` (01/ĐKTĐ-CTĐT); the notice 04/SS-CTĐT
is its own signed message, made when the notice is recorded (the issuing side). Each
has a data part with ``Id="data"`` and a signature slot ``DSCKS/NNT`` for the collecting body's
enveloped XMLDSig (exclusive C14N, SHA-256), as the receipt XML does (:mod:`.sign`).

The signing key is anything with ``sign(data, padding, algorithm)`` (RSA) or
``sign(data, signature_algorithm)`` (ECDSA) and ``key_size``, as ``cryptography`` keys have:
the service passes an adapter over its key store, so the key never leaves the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from ..errors import XmlReceiptError
from .build import parse
from .sign import XmlVerification
from .tax_model import (
    DailySummary,
    NoticeRow,
    ReceiptRef,
    Registration,
    TaxUnit,
)

TAX_SCHEMA_VERSION = "1.0"
TAX_SCHEMA_PATH = Path(__file__).parent / "schema" / f"bao-cao-thue-{TAX_SCHEMA_VERSION}.xsd"
DATA_ID = "data"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

FORM_SUMMARY = "01/TH-BLĐT"
FORM_REGISTRATION = "01/ĐKTĐ-CTĐT"
FORM_NOTICE = "04/SS-CTĐT"
_DATA_PART = {"BTHDLieu": "DLBTHop", "TKhai": "DLTKhai"}


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(TAX_SCHEMA_PATH)))


def _sub(parent: etree._Element, tag: str, text: str | int | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = unicodedata.normalize("NFC", text.strip()) if isinstance(text, str) else str(text)
    return el


def _header(
    data: etree._Element, *, form: str, title: str, made_on: dt.date, unit: TaxUnit
) -> None:
    general = _sub(data, "TTChung")
    _sub(general, "PBan", TAX_SCHEMA_VERSION)
    _sub(general, "MSo", form)
    _sub(general, "Ten", title)
    _sub(general, "NLap", made_on.isoformat())
    _sub(general, "DVTTe", "VND")
    who = _sub(general, "NNT")
    _sub(who, "TNNT", unit.name)
    _sub(who, "MST", unit.tax_code)
    _sub(who, "DChi", unit.address)


def _ref(parent: etree._Element, ref: ReceiptRef) -> None:
    el = _sub(parent, "BLai")
    _sub(el, "KHMSBLai", ref.template_symbol)
    _sub(el, "KHBLai", ref.series)
    _sub(el, "SBLai", ref.number)
    _sub(el, "NLap", ref.issued_on.isoformat())


def _notice(parent: etree._Element, index: int, n: NoticeRow) -> None:
    el = _sub(parent, "TBao")
    _sub(el, "STT", index)
    _sub(el, "STBao", n.notice_number)
    _sub(el, "NTBao", n.notice_date.isoformat())
    _ref(el, n.receipt)
    _sub(el, "LDo", n.reason)


def _finish(root: etree._Element) -> bytes:
    _sub(_sub(root, "DSCKS"), "NNT")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    validate_tax_xml(xml)
    return xml


def build_summary_xml(summary: DailySummary) -> bytes:
    """Mẫu 01/TH-BLĐT of one day, unsigned, valid against the XSD."""
    root = etree.Element("BTHDLieu")
    data = _sub(root, "DLBTHop")
    data.set("Id", DATA_ID)
    _header(
        data,
        form=FORM_SUMMARY,
        title="Bảng tổng hợp dữ liệu biên lai điện tử gửi cơ quan thuế",
        made_on=summary.made_on,
        unit=summary.unit,
    )
    _sub(data, "KDLieu", summary.day.isoformat())
    _sub(data, "SBTHDLieu", summary.sequence)
    rows = _sub(data, "DSDLieu")
    for index, row in enumerate(summary.rows, start=1):
        el = _sub(rows, "DLieu")
        _sub(el, "STT", index)
        _ref(el, row.receipt)
        if row.payer_name.strip():
            _sub(el, "TNNop", row.payer_name)
        _sub(el, "TKThu", row.fee_names)
        _sub(el, "TgTien", row.total)
        _sub(el, "TThai", int(row.state))
        _sub(el, "TTHTai", row.status)
        for rel in row.related:
            q = _sub(el, "LQuan")
            _sub(q, "QHe", rel.relation)
            _ref(q, rel.receipt)
        if row.note:
            _sub(el, "GChu", row.note)
    notices = _sub(data, "DSTBao")
    for index, n in enumerate(summary.notices, start=1):
        _notice(notices, index, n)
    t = summary.totals
    totals = _sub(data, "TCong")
    _sub(totals, "SLuong", t.rows)
    _sub(totals, "TgTien", t.amount)
    _sub(totals, "SLHLuc", t.in_force)
    _sub(totals, "TgTienHLuc", t.amount_in_force)
    _sub(totals, "SLTBao", t.notices)
    return _finish(root)


def build_registration_xml(reg: Registration) -> bytes:
    """Mẫu 01/ĐKTĐ-CTĐT, unsigned, valid against the XSD."""
    if not reg.symbols or not reg.certificates:
        raise XmlReceiptError(
            "Tờ khai cần ký hiệu và chứng thư số / the registration names symbols and certificates"
        )
    root = etree.Element("TKhai")
    data = _sub(root, "DLTKhai")
    data.set("Id", DATA_ID)
    _header(
        data,
        form=FORM_REGISTRATION,
        title="Tờ khai đăng ký/thay đổi thông tin sử dụng biên lai điện tử",
        made_on=reg.made_on,
        unit=reg.unit,
    )
    _sub(data, "HThuc", 2 if reg.change else 1)
    _sub(data, "NLHe", reg.contact_name)
    if reg.contact_phone:
        _sub(data, "DTLHe", reg.contact_phone)
    if reg.contact_email:
        _sub(data, "DCTDTu", reg.contact_email)
    _sub(data, "LCTu", "Biên lai điện tử không in sẵn mệnh giá")
    symbols = _sub(data, "DSKHieu")
    for template_symbol, series in reg.symbols:
        el = _sub(symbols, "KHieu")
        _sub(el, "KHMSBLai", template_symbol)
        _sub(el, "KHBLai", series)
    certs = _sub(data, "DSCTSSDung")
    for index, c in enumerate(reg.certificates, start=1):
        el = _sub(certs, "CTS")
        _sub(el, "STT", index)
        _sub(el, "TTChuc", c.issuer)
        _sub(el, "CTu", c.subject)
        _sub(el, "Seri", c.serial)
        _sub(el, "TNgay", c.valid_from.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        _sub(el, "DNgay", c.valid_to.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        _sub(el, "HThuc", c.action)
    return _finish(root)


def tax_schema_errors(xml: bytes) -> tuple[str, ...]:
    """What the XSD finds wrong, then the totals of a summary it cannot check."""
    root = parse(xml)
    schema = _schema()
    if not schema.validate(root):
        return tuple(f"line {e.line}: {e.message}" for e in schema.error_log)
    problems: list[str] = []
    if root.tag == "BTHDLieu":
        amounts = [int(x) for x in root.xpath("/BTHDLieu/DLBTHop/DSDLieu/DLieu/TgTien/text()")]
        if int(str(root.findtext("DLBTHop/TCong/TgTien"))) != sum(amounts):
            problems.append("TCong/TgTien is not the sum of the rows")
        if int(str(root.findtext("DLBTHop/TCong/SLuong"))) != len(amounts):
            problems.append("TCong/SLuong is not the number of rows")
        notices = len(root.findall("DLBTHop/DSTBao/TBao"))
        if int(str(root.findtext("DLBTHop/TCong/SLTBao"))) != notices:
            problems.append("TCong/SLTBao is not the number of notices")
    return tuple(problems)


def validate_tax_xml(xml: bytes) -> None:
    problems = tax_schema_errors(xml)
    if problems:
        raise XmlReceiptError(
            "XML báo cáo không hợp lệ: " + "; ".join(problems),
            message_en="invalid report XML: " + "; ".join(problems),
        )


def sign_tax_xml(xml: bytes, *, key: Any, certificate: x509.Certificate) -> bytes:
    """``xml`` with the collecting body's enveloped signature over its data part in DSCKS/NNT."""
    if key.public_key() != certificate.public_key():
        raise XmlReceiptError("Khóa không khớp với chứng thư / key and certificate do not match")
    validate_tax_xml(xml)
    root = parse(xml)
    slot = root.find("DSCKS/NNT")
    if slot is None or len(slot):
        raise XmlReceiptError("Báo cáo đã ký hoặc thiếu DSCKS / already signed or no DSCKS")
    placeholder = etree.SubElement(slot, f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS})
    placeholder.set("Id", "placeholder")
    method = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = XMLSigner(
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root, key=key, cert=[certificate], reference_uri=f"#{DATA_ID}", id_attribute="Id"
    )
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


def verify_tax_xml(xml: bytes, *, certificate: x509.Certificate) -> XmlVerification:
    """Valid only when the XSD holds and ``certificate``'s key signed exactly the data part."""
    reasons = list(tax_schema_errors(xml))
    root = parse(xml)
    subject: str | None = None
    if root.find(f"DSCKS/NNT/{{{DS_NS}}}Signature") is None:
        reasons.append("no signature in DSCKS/NNT")
    else:
        try:
            result = XMLVerifier().verify(
                xml,
                x509_cert=certificate,
                id_attribute="Id",
                expect_config=SignatureConfiguration(
                    require_x509=True,
                    expect_references=1,
                    signature_methods=frozenset(
                        {SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}
                    ),
                    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
                    default_reference_c14n_method=(
                        CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
                    ),
                ),
            )
            signed = result.signed_xml  # type: ignore[union-attr]
            if (
                signed is None
                or signed.get("Id") != DATA_ID
                or signed.tag != _DATA_PART.get(root.tag)
            ):
                reasons.append("the signature does not cover the data part")
            subject = certificate.subject.rfc4514_string()
        except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
            reasons.append(f"signature: {exc}")
    return XmlVerification(
        valid=not reasons,
        reasons=tuple(reasons),
        signer_subject=subject,
        digest=hashlib.sha256(xml).hexdigest(),
    )
