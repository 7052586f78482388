"""E-receipts as XML data messages (Thông tư 91/2026/TT-BTC, Điều 18): build, validate, sign.

The schema is the repository's own, versioned (``schema/bien-lai-1.0.xsd``): the tax authority's
receipt schema was not available to us, and the XSD says so in its annotation.
"""

from .build import (
    SCHEMA_PATH,
    SCHEMA_VERSION,
    build_receipt_xml,
    schema_errors,
    validate_receipt_xml,
    xml_digest,
)
from .model import XmlLine, XmlParty, XmlReceipt, XmlRelated
from .sign import XmlVerification, sign_receipt_xml, verify_receipt_xml

__all__ = [
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "XmlLine",
    "XmlParty",
    "XmlReceipt",
    "XmlRelated",
    "XmlVerification",
    "build_receipt_xml",
    "schema_errors",
    "sign_receipt_xml",
    "validate_receipt_xml",
    "verify_receipt_xml",
    "xml_digest",
]
