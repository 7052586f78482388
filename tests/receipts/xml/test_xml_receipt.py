"""The XML original of an e-receipt (TT 91/2026/TT-BTC Điều 18): XSD-valid, signed with
XMLDSig, verified by us (signxml) and by an independent implementation (Debian's xmlsec1).

Keys: the project's test PKI (tests/utils/pki_fixtures.py): the ward's seal (RSA-2048, issued
by the issuing CA under the root) and the chairman (ECDSA P-256).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from certs import BuiltPki
from receipts.errors import XmlReceiptError
from receipts.money import amount_in_words
from receipts.xml import (
    SCHEMA_PATH,
    XmlLine,
    XmlParty,
    XmlReceipt,
    XmlRelated,
    build_receipt_xml,
    schema_errors,
    sign_receipt_xml,
    verify_receipt_xml,
    xml_digest,
)
from receipts.xml.sign import PrivateKey

XMLSEC1 = shutil.which("xmlsec1")
UNIT = XmlParty(
    name="Ủy ban nhân dân phường Chu Văn An",
    tax_code="0800123456",
    address="Phường Chu Văn An, thành phố Hải Phòng",
)


@dataclass(frozen=True)
class Signer:
    name: str
    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


@pytest.fixture(scope="module", params=["seal", "chairman"])
def signer(request: pytest.FixtureRequest, test_pki: BuiltPki) -> Signer:
    name = request.param
    key, cert, _ = pkcs12.load_key_and_certificates(
        test_pki.export_pkcs12(name, password="x"), b"x"
    )
    assert key is not None and cert is not None
    return Signer(name, key, cert, test_pki.chain(name))  # type: ignore[arg-type]


def _line(name: str, charge: str, qty: int, price: int, *, exempt: bool = False) -> XmlLine:
    return XmlLine(
        name=name,
        charge=charge,  # type: ignore[arg-type]
        quantity=qty,
        unit_price=price,
        amount=0 if exempt else qty * price,
        legal_basis="Thông tư 281/2016/TT-BTC, Điều 4, Biểu mức thu dòng 4",
    )


# The family: receipts on either side of 1 July 2026 and of a new year, with one to several
# lines, an exempt line, with and without a payer, and a replacement.
RECEIPTS = {
    "old-2026-06-30": XmlReceipt(
        unit=UNIT,
        template_symbol="01BLP0-001",
        series="VA-26E",
        number=1_234_567,
        issue_date=dt.date(2026, 6, 30),
        lines=(_line("Phí chứng thực chữ ký", "phi", 3, 10_000),),
        payer=XmlParty(name="Bùi Thị Trang", address="Khu dân cư Văn An 1"),
        payment_method="Tiền mặt",
    ),
    "new-2026-07-01": XmlReceipt(
        unit=UNIT,
        template_symbol="EBL01",
        series="26TVA",
        number=1,
        issue_date=dt.date(2026, 7, 1),
        lines=(
            _line("Phí cấp bản sao trích lục hộ tịch", "phi", 2, 8_000),
            _line("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", "le_phi", 1, 15_000),
        ),
    ),
    "new-2027-01-01": XmlReceipt(
        unit=UNIT,
        template_symbol="EBL01",
        series="27TVA",
        number=1,
        issue_date=dt.date(2027, 1, 1),
        lines=(
            *(_line(f"Phí chứng thực bản sao, bản {i}", "phi", i, 2_000 * i) for i in range(1, 6)),
            _line("Lệ phí đăng ký kết hôn", "le_phi", 1, 30_000, exempt=True),
        ),
        payer=XmlParty(name="Phạm Quốc Việt", tax_code="030096001234"),
    ),
    "replacement-2027": XmlReceipt(
        unit=UNIT,
        template_symbol="EBL01",
        series="27TVA",
        number=99_999_999,
        issue_date=dt.date(2027, 1, 4),
        lines=(_line("Lệ phí đăng ký khai sinh quá hạn", "le_phi", 1, 5_000),),
        replaces=XmlRelated(
            template_symbol="EBL01", series="26TVA", number=812, issue_date=dt.date(2026, 12, 30)
        ),
    ),
}


def _xmlsec1_verify(tmp_path: Path, xml: bytes, signer: Signer) -> subprocess.CompletedProcess[str]:
    """xmlsec1 checks the signature *and* the chain up to the test root."""
    assert XMLSEC1 is not None, "install Debian's xmlsec1 (scripts/install.sh --test)"
    pem = serialization.Encoding.PEM
    (tmp_path / "r.xml").write_bytes(xml)
    *intermediates, root = signer.chain
    (tmp_path / "root.pem").write_bytes(root.public_bytes(pem))
    args = [
        XMLSEC1,
        "--verify",
        "--id-attr:Id",
        "DLBLai",
        "--trusted-pem",
        str(tmp_path / "root.pem"),
    ]
    for i, c in enumerate(intermediates):
        (tmp_path / f"ca{i}.pem").write_bytes(c.public_bytes(pem))
        args += ["--untrusted-pem", str(tmp_path / f"ca{i}.pem")]
    return subprocess.run(
        [*args, str(tmp_path / "r.xml")], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("which", sorted(RECEIPTS))
def test_receipt_xml_validates_signs_and_verifies_twice(
    which: str, signer: Signer, tmp_path: Path
) -> None:
    receipt = RECEIPTS[which]
    xml = build_receipt_xml(receipt)
    assert schema_errors(xml) == ()
    signed = sign_receipt_xml(xml, key=signer.key, certificate=signer.certificate)
    assert schema_errors(signed) == ()  # the signed message is valid against the XSD too
    ours = verify_receipt_xml(signed, certificate=signer.certificate)
    assert ours.valid, ours.reasons
    assert ours.digest == xml_digest(signed)
    assert ours.signer_subject == signer.certificate.subject.rfc4514_string()
    done = _xmlsec1_verify(tmp_path, signed, signer)
    assert done.returncode == 0 and "OK" in done.stdout + done.stderr, done.stderr


@pytest.mark.parametrize("which", sorted(RECEIPTS))
@pytest.mark.parametrize("tamper", ["amount", "total", "payer", "number"])
def test_a_changed_receipt_fails_both_verifiers(
    which: str, tamper: str, signer: Signer, tmp_path: Path
) -> None:
    receipt = RECEIPTS[which]
    signed = sign_receipt_xml(
        build_receipt_xml(receipt), key=signer.key, certificate=signer.certificate
    )
    line = receipt.lines[0]
    if tamper == "amount":
        new = line.amount + 1_000
        changed = signed.replace(
            f"<STien>{line.amount}</STien>".encode(), f"<STien>{new}</STien>".encode(), 1
        ).replace(
            f"<STChu>{amount_in_words(line.amount)}</STChu>".encode(),
            f"<STChu>{amount_in_words(new)}</STChu>".encode(),
            1,
        )
    elif tamper == "total":
        t = receipt.total
        changed = signed.replace(
            f"<TgTien>{t}</TgTien>".encode(), f"<TgTien>{t + 1}</TgTien>".encode()
        )
    elif tamper == "payer":
        changed = signed.replace(UNIT.name.encode(), "Ủy ban nhân dân phường Khác".encode())
    else:
        changed = signed.replace(
            f"<SBLai>{receipt.number}</SBLai>".encode(), b"<SBLai>2</SBLai>", 1
        )
    assert changed != signed
    ours = verify_receipt_xml(changed, certificate=signer.certificate)
    assert not ours.valid and any(r.startswith("signature") for r in ours.reasons)
    done = _xmlsec1_verify(tmp_path, changed, signer)
    assert done.returncode != 0 and "FAIL" in done.stdout + done.stderr


def test_the_wrong_certificate_does_not_verify(test_pki: BuiltPki, signer: Signer) -> None:
    signed = sign_receipt_xml(
        build_receipt_xml(RECEIPTS["new-2026-07-01"]),
        key=signer.key,
        certificate=signer.certificate,
    )
    other = test_pki.certificate("vice-chairman")
    result = verify_receipt_xml(signed, certificate=other)
    assert not result.valid and result.reasons


def test_pem_key_and_certificate_are_accepted(signer: Signer) -> None:
    key_pem = signer.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = signer.certificate.public_bytes(serialization.Encoding.PEM)
    signed = sign_receipt_xml(
        build_receipt_xml(RECEIPTS["new-2027-01-01"]), key=key_pem, certificate=cert_pem
    )
    assert verify_receipt_xml(signed, certificate=cert_pem).valid


def test_a_key_must_match_its_certificate(test_pki: BuiltPki, signer: Signer) -> None:
    with pytest.raises(XmlReceiptError):
        sign_receipt_xml(
            build_receipt_xml(RECEIPTS["new-2026-07-01"]),
            key=signer.key,
            certificate=test_pki.certificate("vice-chairman"),
        )


def test_an_unsigned_receipt_is_not_valid(signer: Signer) -> None:
    result = verify_receipt_xml(
        build_receipt_xml(RECEIPTS["new-2026-07-01"]), certificate=signer.certificate
    )
    assert not result.valid and "no signature in DSCKS/TCThu" in result.reasons


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"series": "26TVF"}, "letters"),  # F is not in TT 91 Phụ lục II.2.b
        ({"series": "VA-26E"}, "series"),  # the old form after 1 July 2026
        ({"series": "26TVA", "issue_date": dt.date(2027, 1, 1)}, "2027"),  # last year's series
        ({"template_symbol": "01BLP0-001"}, "template symbol"),
        ({"number": 100_000_000}, "number"),
        ({"number": 0}, "number"),
        ({"unit": XmlParty(name="UBND phường")}, "tax code"),
        ({"lines": ()}, "line"),
    ],
)
def test_build_refuses_what_the_scheme_forbids(change: dict[str, object], message: str) -> None:
    with pytest.raises(XmlReceiptError) as err:
        build_receipt_xml(replace(RECEIPTS["new-2026-07-01"], **change))  # type: ignore[arg-type]
    assert message in err.value.message_en


def test_the_xsd_checks_what_it_can_and_the_rest_is_checked_in_code() -> None:
    xml = build_receipt_xml(RECEIPTS["new-2026-07-01"])
    bad_symbol = xml.replace(b"<KHMSBLai>EBL01</KHMSBLai>", b"<KHMSBLai>EBX01</KHMSBLai>")
    assert any("KHMSBLai" in e for e in schema_errors(bad_symbol))
    bad_currency = xml.replace(b"<DVTTe>VND</DVTTe>", b"<DVTTe>USD</DVTTe>")
    assert any("DVTTe" in e for e in schema_errors(bad_currency))
    bad_words = xml.replace("Mười sáu nghìn đồng".encode(), "Mười bảy nghìn đồng".encode(), 1)
    assert any("STChu" in e for e in schema_errors(bad_words))
    bad_scheme = xml.replace(b"<CDo>nd254_2026</CDo>", b"<CDo>nd123_2020</CDo>")
    assert any("CDo" in e for e in schema_errors(bad_scheme))


def test_hostile_xml_is_refused_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE BLai [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><BLai>&b;</BLai>'
    )
    with pytest.raises(XmlReceiptError, match="DOCTYPE"):
        schema_errors(bomb)
    with pytest.raises(XmlReceiptError):
        schema_errors(b"<BLai><unclosed></BLai>")


def test_the_xsd_is_versioned_and_says_it_is_ours() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert SCHEMA_PATH.name == "bien-lai-1.0.xsd" and 'version="1.0"' in text
    assert "UNVERIFIED" in text and "CHƯA XÁC MINH" in text
    assert "Thông tư 91/2026/TT-BTC, Điều 18" in text
    assert text.count("[own]") >= 10
