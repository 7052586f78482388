"""Issuing receipts on chosen days, for the law of 2026 in issuing."""

from __future__ import annotations

import datetime as dt

from esign.db.models import Receipt, User
from esign.workflows.actors import Actor
from esign.workflows.receipts import FeeInput, issue_receipt
from receipts.calendar import VIETNAM_TZ
from receipts.fees import FeeLine
from receipts.pdf import PaymentMethod
from tests.esign.api.conftest import Api


def clerk(api: Api) -> Actor:
    with api.service.db.transaction() as s:
        user = s.get(User, api.users["clerk"])
        assert user is not None
        return Actor.of(user)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A time on ``day`` in Vietnam."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM_TZ)


LINE = FeeLine(
    name="Lệ phí cấp Giấy xác nhận tình trạng hôn nhân",
    legal_basis="Nghị quyết HĐND (chưa xác minh)",
    quantity=1,
    unit_price=15_000,
    amount=15_000,
)


def issue(
    api: Api,
    day: dt.date,
    *,
    payer: str = "Bùi Thị Trang",
    lines: tuple[FeeLine, ...] = (LINE,),
    series: str | None = None,
    template_symbol: str | None = None,
) -> Receipt:
    with api.service.db.transaction() as s:
        r = issue_receipt(
            s,
            clerk(api),
            api.service,
            payer_name=payer,
            payer_address="Số 3, phường Chu Văn An",
            payment_method=PaymentMethod.CASH,
            fees=FeeInput(lines=lines),
            issued_at=at(day),
            series=series,
            template_symbol=template_symbol,
        )
        s.expunge(r)
        return r
