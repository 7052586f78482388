"""Chứng thực bản sao từ bản chính: the certification page of a copy.

This renders only the certification page. The caller (esign) appends it after the copy's own
pages, and shifts the geometry by the copy's page count (``SignaturePlace.shifted``,
``QrPlace.shifted``). Drawing it separately keeps ``receipts`` free of PDF parsing, and the copy's
bytes untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ...text import check_int
from ..result_models import Field, Issuer, Official, Passage, ResultDocument

KIND = "copy_certification"
TITLE = "CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH"


def copy_certification(
    *,
    issuer: Issuer,
    certification_number: int,
    book_number: str,
    issued_at: dt.datetime,
    document_name: str,
    copy_pages: int,
    copies: int,
    officials: Sequence[Official],
    qr_text: str,
    cancelled: bool = False,
) -> ResultDocument:
    """``book_number`` as registered, e.g. "01/2024-SCT/BS"; ``copy_pages`` is the number of
    pages of the copy this page certifies, ``copies`` how many copies were certified."""
    check_int(
        certification_number,
        label="Số chứng thực",
        field="certification_number",
        minimum=1,
        maximum=9_999_999,
    )
    check_int(copy_pages, label="Số trang", field="copy_pages", minimum=1, maximum=10_000)
    check_int(copies, label="Số bản", field="copies", minimum=1, maximum=1_000)
    body: list[Field | Passage] = [
        Field(label="Giấy tờ, văn bản", value=document_name),
        Field(label="Số trang của bản sao", value=str(copy_pages)),
        Field(label="Số bản sao được chứng thực", value=str(copies)),
        Passage(text="Chứng thực bản sao này đúng với bản chính.", bold=True, centered=True),
        Field(label="Số chứng thực", value=str(certification_number)),
        Field(label="Quyển số", value=book_number),
    ]
    return ResultDocument(
        kind=KIND,
        title=TITLE,
        issuer=issuer,
        number=f"{certification_number}, quyển số {book_number}",
        issued_at=issued_at,
        body=tuple(body),
        officials=tuple(officials),
        qr_text=qr_text,
        cancelled=cancelled,
    )
