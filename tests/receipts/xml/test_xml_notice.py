"""The notice Mẫu 04/SS-CTĐT (TT 91/2026 Điều 20) as XML: valid against its XSD, only for errors
that are not in the amount or the tax code, signed and verified like the receipt's XML."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from receipts.errors import XmlReceiptError
from receipts.scheme import ErrorKind
from receipts.xml import (
    NOTICE_ERRORS,
    XmlNotice,
    XmlNoticeItem,
    build_notice_xml,
    notice_schema_errors,
    sign_notice_xml,
    verify_notice_xml,
)


def _notice(*errors: ErrorKind) -> XmlNotice:
    return XmlNotice(
        unit_name="Ủy ban nhân dân phường Chu Văn An",
        unit_tax_code="0800123456",
        place="Chu Văn An",
        notice_date=dt.date(2026, 12, 2),
        items=tuple(
            XmlNoticeItem(
                template_symbol="EBL01",
                series="26TVA",
                number=i,
                issue_date=dt.date(2026, 11, 30),
                error=e,
                reason=f"Sai sót {e.value}: ghi lại cho đúng",
            )
            for i, e in enumerate(errors, start=1)
        ),
    )


def _self_signed() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UBND phường Chu Văn An")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def test_notice_errors_are_the_four_of_article_20() -> None:
    assert set(ErrorKind) - {ErrorKind.AMOUNT, ErrorKind.TAX_CODE} == NOTICE_ERRORS


@pytest.mark.parametrize("errors", [(ErrorKind.PAYER_NAME,), tuple(sorted(NOTICE_ERRORS, key=str))])
def test_a_notice_validates_signs_and_verifies(errors: tuple[ErrorKind, ...]) -> None:
    xml = build_notice_xml(_notice(*errors))
    assert notice_schema_errors(xml) == ()
    assert xml.count(b"<BLai>") == len(errors)
    key, cert = _self_signed()
    signed = sign_notice_xml(xml, key=key, certificate=cert)
    assert verify_notice_xml(signed, certificate=cert).valid
    forged = signed.replace(b"<SBLai>1</SBLai>", b"<SBLai>2</SBLai>", 1)
    assert not verify_notice_xml(forged, certificate=cert).valid


@pytest.mark.parametrize("error", [ErrorKind.AMOUNT, ErrorKind.TAX_CODE])
def test_amount_and_tax_code_errors_are_not_noticed(error: ErrorKind) -> None:
    with pytest.raises(XmlReceiptError) as caught:
        build_notice_xml(_notice(ErrorKind.PAYER_NAME, error))
    assert caught.value.code == "notice_not_for_this_error"
