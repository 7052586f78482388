"""XMLDSig enveloped signature of a receipt's data part (TT 91/2026 Điều 18), with signxml.

The signature goes in ``DSCKS/TCThu`` and references the data part (``#data``), canonicalised
with exclusive C14N, SHA-256. The key and certificate are passed in (``cryptography`` objects or
PEM bytes): this package does not know where the ward keeps its key. Verification answers with
a :class:`XmlVerification` (one verdict and its reasons); an exception only for input that cannot
be read at all. Whether the certificate chains to a trusted root is for the caller (certs).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from ..errors import XmlReceiptError
from .build import DATA_ID, parse, schema_errors, xml_digest

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _key(key: PrivateKey | bytes) -> PrivateKey:
    if isinstance(key, bytes):
        loaded = serialization.load_pem_private_key(key, password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise XmlReceiptError("Khóa phải là RSA hoặc ECDSA / the key must be RSA or ECDSA")
        return loaded
    return key


def _cert(cert: x509.Certificate | bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(cert) if isinstance(cert, bytes) else cert


def sign_receipt_xml(
    xml: bytes, *, key: PrivateKey | bytes, certificate: x509.Certificate | bytes
) -> bytes:
    """``xml`` (from :func:`build_receipt_xml`) with the ward's enveloped signature."""
    k, cert = _key(key), _cert(certificate)
    if k.public_key() != cert.public_key():
        raise XmlReceiptError("Khóa không khớp với chứng thư / key and certificate do not match")
    problems = schema_errors(xml)
    if problems:
        raise XmlReceiptError(
            "XML biên lai không hợp lệ / invalid receipt XML: " + "; ".join(problems)
        )
    return _sign(parse(xml), k, cert)


def sign_notice_xml(
    xml: bytes, *, key: PrivateKey | bytes, certificate: x509.Certificate | bytes
) -> bytes:
    """A notice 04/SS-CTĐT (from :func:`build_notice_xml`) with the ward's enveloped signature,
    made as the receipt's is."""
    from .notice import notice_schema_errors

    k, cert = _key(key), _cert(certificate)
    if k.public_key() != cert.public_key():
        raise XmlReceiptError("Khóa không khớp với chứng thư / key and certificate do not match")
    problems = notice_schema_errors(xml)
    if problems:
        raise XmlReceiptError(
            "XML thông báo không hợp lệ / invalid notice XML: " + "; ".join(problems)
        )
    return _sign(parse(xml), k, cert)


def _sign(root: etree._Element, k: PrivateKey, cert: x509.Certificate) -> bytes:
    slot = root.find("DSCKS/TCThu")
    if slot is None or len(slot):
        raise XmlReceiptError("Biên lai đã ký hoặc thiếu DSCKS / already signed or no DSCKS")
    placeholder = etree.SubElement(slot, f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS})
    placeholder.set("Id", "placeholder")
    method = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(k, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = XMLSigner(
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root,
        key=k,
        cert=[cert],
        reference_uri=f"#{DATA_ID}",
        id_attribute="Id",
    )
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


@dataclass(frozen=True, slots=True)
class XmlVerification:
    valid: bool
    reasons: tuple[str, ...]
    """Empty when valid; otherwise what failed (schema, arithmetic, signature, certificate)."""
    signer_subject: str | None
    digest: str
    """SHA-256 of the XML bytes (what the QR seal names)."""


def verify_receipt_xml(xml: bytes, *, certificate: x509.Certificate | bytes) -> XmlVerification:
    """Check that ``xml`` is a valid receipt signed by ``certificate``'s key over its data part."""
    return _verify(xml, certificate, schema_errors(xml), "DLBLai")


def verify_notice_xml(xml: bytes, *, certificate: x509.Certificate | bytes) -> XmlVerification:
    """Check that ``xml`` is a valid notice 04/SS-CTĐT signed by ``certificate``'s key."""
    from .notice import notice_schema_errors

    return _verify(xml, certificate, notice_schema_errors(xml), "DLTBao")


def _verify(
    xml: bytes, certificate: x509.Certificate | bytes, problems: tuple[str, ...], data_tag: str
) -> XmlVerification:
    cert = _cert(certificate)
    reasons = list(problems)
    root = parse(xml)
    subject: str | None = None
    signature = root.find(f"DSCKS/TCThu/{{{DS_NS}}}Signature")
    if signature is None:
        reasons.append("no signature in DSCKS/TCThu")
    else:
        try:
            result = XMLVerifier().verify(
                xml,
                x509_cert=cert,
                id_attribute="Id",
                expect_config=_expect(),
            )
            signed = result.signed_xml  # type: ignore[union-attr]
            if signed is None or signed.get("Id") != DATA_ID or signed.tag != data_tag:
                reasons.append(f"the signature does not cover the data part {data_tag}")
            subject = cert.subject.rfc4514_string()
        except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
            reasons.append(f"signature: {exc}")
    return XmlVerification(
        valid=not reasons, reasons=tuple(reasons), signer_subject=subject, digest=xml_digest(xml)
    )


def _expect() -> SignatureConfiguration:
    return SignatureConfiguration(
        require_x509=True,
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        default_reference_c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
