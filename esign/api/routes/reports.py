"""Reports for the ward's administrative-reform figures: fees, online payment, timeliness."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from receipts.calendar import VIETNAM_TZ
from receipts.pdf import PaymentMethod

from ...workflows import reports as flows
from ..deps import ReportReader, ServiceDep

router = APIRouter(tags=["reports"])


class SharePublic(BaseModel):
    count: int
    of: int
    percent: float | None
    """Rounded to 2 decimals; null when there is nothing to share."""


class DayTotalPublic(BaseModel):
    day: dt.date
    receipts: int
    adjustments: int
    amount: int


class ItemTotalPublic(BaseModel):
    name: str
    legal_basis: str
    quantity: int
    amount: int


class FeeTotalsPublic(BaseModel):
    total: int
    receipts: int
    adjustments: int
    by_day: list[DayTotalPublic]
    by_month: list[MonthTotalPublic]
    """The days summed per calendar month."""
    by_fee_item: list[ItemTotalPublic]


class MethodTotalPublic(BaseModel):
    method: PaymentMethod
    payments: int
    amount: int


class PaymentSharesPublic(BaseModel):
    payments: int
    by_method: list[MethodTotalPublic]
    online: SharePublic
    """Paid ``online`` or by ``bank_transfer``."""
    cash: SharePublic


class DossierTimelinessPublic(BaseModel):
    due: int
    returned_on_time: int
    returned_late: int
    open_overdue: int
    open_not_yet_due: int
    on_time: SharePublic
    returned_early: int
    """Returned before the due day (a part of ``returned_on_time``)."""


class DossierIntakePublic(BaseModel):
    received: int
    """Dossiers received in the range (Vietnam days of receipt)."""
    online: SharePublic
    """Received through the online channel."""


class MonthTotalPublic(BaseModel):
    month: str
    receipts: int
    adjustments: int
    amount: int


class SummaryPublic(BaseModel):
    date_from: dt.date
    date_to: dt.date
    generated_at: dt.datetime
    fees: FeeTotalsPublic
    payments: PaymentSharesPublic
    dossiers: DossierTimelinessPublic
    intake: DossierIntakePublic


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, with each Share's percent (a property) included."""
    if isinstance(value, flows.Share):
        return {"count": value.count, "of": value.of, "percent": value.percent}
    if isinstance(value, flows.FeeTotals):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {**fields, "by_month": _plain(value.by_month)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@router.get("/reports/summary", response_model=SummaryPublic)
def summary(
    service: ServiceDep,
    actor: ReportReader,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> SummaryPublic:
    """Fees by Vietnam day and by fee item, the online-payment share and the share of dossiers
    returned on time, for ``date_from``..``date_to`` inclusive (at most 366 days; by default
    the current month up to today)."""
    today = dt.datetime.now(VIETNAM_TZ).date()
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    with service.db.reading() as session:
        result = flows.summary(session, actor, date_from=date_from, date_to=date_to)
    return SummaryPublic.model_validate(_plain(result))
