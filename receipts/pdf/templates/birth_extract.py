"""Trích lục khai sinh: the extract of a birth registration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..result_models import Field, Issuer, Official, Passage, ResultDocument
from .common import Parent, Person, date_in_words, date_numeric

KIND = "birth_extract"
TITLE = "TRÍCH LỤC KHAI SINH"


def birth_registration_extract(
    *,
    issuer: Issuer,
    number: str,
    issued_at: dt.datetime,
    child: Person,
    place_of_birth: str,
    hometown: str,
    mother: Parent | None,
    father: Parent | None,
    registered_by: str,
    registered_on: dt.date,
    officials: Sequence[Official],
    qr_text: str,
    copy: bool = False,
    note: str | None = None,
    cancelled: bool = False,
    registration_number: str | None = None,
    book_number: str | None = None,
) -> ResultDocument:
    """``child.residence`` is not printed (an extract records the birth, not the residence);
    ``copy`` prints "(Bản sao)" under the title; ``registration_number`` and ``book_number``
    are the entry in the civil-status book the extract is taken from (TT 04/2020/TT-BTP)."""
    body: list[Field | Passage] = [
        Field(label="Họ, chữ đệm, tên", value=child.full_name),
        Field(label="Ngày, tháng, năm sinh", value=date_numeric(child.date_of_birth)),
        Field(label="Ghi bằng chữ", value=date_in_words(child.date_of_birth)),
        Field(label="Giới tính", value=child.gender),
        Field(label="Dân tộc", value=child.ethnicity),
        Field(label="Quốc tịch", value=child.nationality),
        Field(label="Nơi sinh", value=place_of_birth),
        Field(label="Quê quán", value=hometown),
        Field(label="Số định danh cá nhân", value=child.personal_id),
    ]
    for parent, who in ((mother, "người mẹ"), (father, "người cha")):
        if parent is not None:
            body += [Field(label=label, value=value) for label, value in parent.fields(who)]
    body += [
        Field(label="Nơi đăng ký khai sinh", value=registered_by),
        Field(label="Ngày, tháng, năm đăng ký", value=date_numeric(registered_on)),
    ]
    if registration_number:
        body.append(Field(label="Số đăng ký", value=registration_number))
    if book_number:
        body.append(Field(label="Quyển số", value=book_number))
    if note:
        body.append(Passage(text=f"Ghi chú: {note}"))
    return ResultDocument(
        kind=KIND,
        title=TITLE,
        subtitle="(Bản sao)" if copy else None,
        issuer=issuer,
        number=number,
        issued_at=issued_at,
        body=tuple(body),
        officials=tuple(officials),
        qr_text=qr_text,
        cancelled=cancelled,
    )
