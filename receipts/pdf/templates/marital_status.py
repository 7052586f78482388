"""Giấy xác nhận tình trạng hôn nhân: the marital-status confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..result_models import Field, Issuer, Official, Passage, ResultDocument
from .common import Person, date_numeric, issuer_statement

KIND = "marital_status_confirmation"
TITLE = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"


def marital_status_confirmation(
    *,
    issuer: Issuer,
    number: str,
    issued_at: dt.datetime,
    requester: str,
    person: Person,
    marital_status: str,
    purpose: str,
    officials: Sequence[Official],
    qr_text: str,
    residence_period: str | None = None,
    valid_months: int = 6,
    cancelled: bool = False,
) -> ResultDocument:
    """``residence_period``: where and when the person lived before, when the procedure needs
    it ("Trong thời gian cư trú tại … từ … đến …"); ``valid_months``: 6 by law."""
    body: list[Field | Passage] = [
        Passage(text=f"Xét đề nghị của ông/bà: {requester} về việc xác nhận tình trạng hôn nhân."),
        Passage(text=f"{issuer_statement(issuer)} XÁC NHẬN:", bold=True),
        Field(label="Họ, chữ đệm, tên", value=person.full_name),
        Field(label="Ngày, tháng, năm sinh", value=date_numeric(person.date_of_birth)),
        Field(label="Giới tính", value=person.gender),
        Field(label="Dân tộc", value=person.ethnicity),
        Field(label="Quốc tịch", value=person.nationality),
        Field(label="Số định danh cá nhân", value=person.personal_id),
        Field(label="Nơi cư trú", value=person.residence),
    ]
    if residence_period:
        body.append(Field(label="Thời gian cư trú", value=residence_period))
    body += [
        Field(label="Tình trạng hôn nhân", value=marital_status),
        Field(label="Giấy này được cấp để", value=purpose),
        Passage(
            text=f"Giấy này có giá trị sử dụng trong thời hạn {valid_months} tháng, kể từ ngày cấp."
        ),
    ]
    return ResultDocument(
        kind=KIND,
        title=TITLE,
        issuer=issuer,
        number=number,
        issued_at=issued_at,
        body=tuple(body),
        officials=tuple(officials),
        qr_text=qr_text,
        cancelled=cancelled,
    )
