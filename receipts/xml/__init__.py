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
from .notice import (
    NOTICE_ERRORS,
    NOTICE_FORM,
    NOTICE_SCHEMA_PATH,
    XmlNotice,
    XmlNoticeItem,
    build_notice_xml,
    notice_schema_errors,
)
from .sign import (
    XmlVerification,
    sign_notice_xml,
    sign_receipt_xml,
    verify_notice_xml,
    verify_receipt_xml,
)

__all__ = [
    "NOTICE_ERRORS",
    "NOTICE_FORM",
    "NOTICE_SCHEMA_PATH",
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "XmlLine",
    "XmlNotice",
    "XmlNoticeItem",
    "XmlParty",
    "XmlReceipt",
    "XmlRelated",
    "XmlVerification",
    "build_notice_xml",
    "build_receipt_xml",
    "notice_schema_errors",
    "schema_errors",
    "sign_notice_xml",
    "sign_receipt_xml",
    "validate_receipt_xml",
    "verify_notice_xml",
    "verify_receipt_xml",
    "xml_digest",
]
