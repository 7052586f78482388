"""A procedure's result document as data: what ``render_result`` draws.

A :class:`ResultDocument` is generic: the national motto header, the issuing body, a number, a
title, a body of :class:`Field` rows and :class:`Passage` paragraphs, the officials who sign and
the QR text. Each kind of document is a small function in :mod:`receipts.pdf.templates` that
builds one; adding a kind never touches the layout.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..text import Limit, check_aware, check_pattern, clean_optional, clean_text, fail
from .receipt_models import check_qr_text

MAX_OFFICIALS = 3
MAX_BODY_ITEMS = 60
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # frozen dataclasses normalise themselves once


@dataclass(frozen=True, kw_only=True)
class Issuer:
    """The issuing body: its header lines (``("ỦY BAN NHÂN DÂN", "PHƯỜNG VĂN AN")``, the last
    printed bold) and the place name of the date line ("Văn An, ngày … tháng … năm …")."""

    lines: tuple[str, ...]
    place: str

    def __post_init__(self) -> None:
        lines = tuple(
            clean_text(line, label="Tên cơ quan", field="issuer.lines", limit=Limit.TITLE)
            for line in self.lines
        )
        if not 1 <= len(lines) <= 3:
            raise fail(
                "Tên cơ quan ban hành phải có 1 đến 3 dòng",
                "issuer.lines must have 1 to 3 lines",
                code="invalid_issuer",
            )
        _set(self, "lines", lines)
        _set(
            self,
            "place",
            clean_text(self.place, label="Địa danh", field="issuer.place", limit=Limit.TITLE),
        )


@dataclass(frozen=True, kw_only=True)
class Official:
    """An official who signs: ``role`` names the signature field (``Sig_<role>``).

    ``title`` is printed bold above the box ("CHỦ TỊCH"); ``on_behalf_of`` above it when the
    official signs for someone ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN").
    """

    role: str
    title: str
    name: str
    on_behalf_of: str | None = None
    collective: str | None = None
    """Printed first when signing for a collective body: "TM. ỦY BAN NHÂN DÂN" (NĐ 30/2020)."""

    def __post_init__(self) -> None:
        role = clean_text(
            self.role, label="Vai trò người ký", field="official.role", limit=Limit.CODE
        )
        _set(
            self,
            "role",
            check_pattern(
                role,
                _ROLE,
                label="Vai trò người ký",
                field="official.role",
                example="judicial_officer",
            ),
        )
        _set(
            self,
            "title",
            clean_text(self.title, label="Chức danh", field="official.title", limit=Limit.TITLE),
        )
        _set(
            self,
            "name",
            clean_text(self.name, label="Họ tên người ký", field="official.name", limit=Limit.NAME),
        )
        _set(
            self,
            "on_behalf_of",
            clean_optional(
                self.on_behalf_of,
                label="Thẩm quyền ký",
                field="official.on_behalf_of",
                limit=Limit.TITLE,
            ),
        )
        _set(
            self,
            "collective",
            clean_optional(
                self.collective,
                label="Thay mặt tập thể",
                field="official.collective",
                limit=Limit.TITLE,
            ),
        )

    @property
    def field_name(self) -> str:
        return f"Sig_{self.role}"


@dataclass(frozen=True, kw_only=True)
class Field:
    """A "label: value" row of the body."""

    label: str
    value: str

    def __post_init__(self) -> None:
        _set(
            self,
            "label",
            clean_text(self.label, label="Nhãn", field="field.label", limit=Limit.TITLE),
        )
        _set(
            self,
            "value",
            clean_text(
                self.value,
                label=self.label,
                field="field.value",
                limit=Limit.ADDRESS,
                required=False,
            ),
        )


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A paragraph of the body; ``bold`` for statements such as the certification formula."""

    text: str
    bold: bool = False
    centered: bool = False

    def __post_init__(self) -> None:
        _set(
            self,
            "text",
            clean_text(self.text, label="Đoạn văn", field="passage.text", limit=Limit.PARAGRAPH),
        )


@dataclass(frozen=True, kw_only=True)
class ResultDocument:
    """A result document ready to draw; ``kind`` is a machine name ("birth_extract")."""

    kind: str
    title: str
    issuer: Issuer
    number: str
    issued_at: dt.datetime
    body: tuple[Field | Passage, ...]
    officials: tuple[Official, ...]
    qr_text: str
    subtitle: str | None = None
    qr_caption: str = "Quét mã QR để kiểm tra tính xác thực của giấy tờ"
    cancelled: bool = False

    def __post_init__(self) -> None:
        _set(
            self,
            "kind",
            check_pattern(
                clean_text(self.kind, label="Loại giấy tờ", field="kind", limit=Limit.CODE),
                _ROLE,
                label="Loại giấy tờ",
                field="kind",
                example="birth_extract",
            ),
        )
        _set(
            self,
            "title",
            clean_text(self.title, label="Tên giấy tờ", field="title", limit=Limit.TITLE),
        )
        _set(
            self,
            "subtitle",
            clean_optional(self.subtitle, label="Phụ đề", field="subtitle", limit=Limit.TITLE),
        )
        _set(
            self,
            "number",
            clean_text(self.number, label="Số văn bản", field="number", limit=Limit.CODE),
        )
        check_aware(self.issued_at, label="Ngày cấp", field="issued_at")
        _set(self, "body", tuple(self.body))
        if not self.body or len(self.body) > MAX_BODY_ITEMS:
            raise fail(
                f"Nội dung giấy tờ phải có 1 đến {MAX_BODY_ITEMS} mục",
                "body must have 1 to 60 items",
                code="invalid_body",
            )
        if not all(isinstance(item, Field | Passage) for item in self.body):
            raise fail(
                "Nội dung chỉ gồm Field và Passage",
                "body items must be Field or Passage",
                code="invalid_type",
            )
        _set(self, "officials", tuple(self.officials))
        roles = [o.role for o in self.officials]
        if not 1 <= len(roles) <= MAX_OFFICIALS or len(set(roles)) != len(roles):
            raise fail(
                f"Giấy tờ cần 1 đến {MAX_OFFICIALS} người ký với vai trò khác nhau",
                "officials must be 1 to 3, with distinct roles",
                code="invalid_officials",
            )
        _set(self, "qr_text", check_qr_text(self.qr_text))
        _set(
            self,
            "qr_caption",
            clean_text(
                self.qr_caption, label="Chú thích mã QR", field="qr_caption", limit=Limit.TITLE
            ),
        )
