"""Whether a document still waits for a signature, and for whose.

A result document is prepared with one empty signature field per official, named for the
order and the role (``Sig1_judicial_officer``, see :func:`.sign.field_name_for`; the layout
of ``receipts.pdf`` names them ``Sig_<role>``). A field still empty means the document is not
finished: verification says "chưa đủ chữ ký: còn chờ <chức danh>", never "valid".
"""

from __future__ import annotations

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from .field_names import parse_field_name

ROLE_TITLES: dict[str, tuple[str, str]] = {
    "judicial_officer": ("Công chức Tư pháp - Hộ tịch", "the judicial and civil-status officer"),
    "chairman": ("Chủ tịch UBND", "the chairman of the People's Committee"),
    "vice_chairman": ("Phó Chủ tịch UBND", "the vice-chairman of the People's Committee"),
    "ward": ("con dấu của phường", "the ward's seal"),
}


def role_of(field_name: str) -> str | None:
    parsed = parse_field_name(field_name)
    if parsed is not None:
        return parsed[1]
    head, _, role = field_name.partition("_")
    return role if head == "Sig" and role else None


def title_of(field_name: str) -> tuple[str, str]:
    """The title (Vietnamese, English) of whoever must sign ``field_name``."""
    role = role_of(field_name)
    if role is None:
        return f"chữ ký ở ô {field_name}", f"the signature in field {field_name}"
    return ROLE_TITLES.get(role, (role, role))


def awaited_fields(reader: PdfFileReader) -> tuple[str, ...]:
    """Names of the signature fields still empty, in the document's order."""
    return tuple(
        str(name)
        for name, value, _ in fields.enumerate_sig_fields(reader, filled_status=False)
        if value is None
    )
