"""Building a service for the public pages' tests, and issuing receipts through the workflows."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esign.config import Settings
from esign.db import Database
from esign.db.models import Receipt, UserRole
from esign.service import Service
from esign.workflows import receipts as flows
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.series import create_series
from esign.workflows.users import create_user
from receipts.calendar import VIETNAM_TZ
from receipts.catalog import default_catalog
from receipts.pdf import PaymentMethod

PAYER = "Bùi Thị Trang"
PAYER_MASKED = "B** T** T****"
ADDRESS = "Số 12 ngõ 4 đường Nguyễn Trãi, khu dân cư Văn An 1"
PASSWORD = "mat-khau-thu-nghiem"


def build_service(
    database: Database, data: Path, pki_template: Path, **settings: Any
) -> tuple[Service, Actor]:
    """A service over ``database`` with the test PKI in ``data``, a series and a clerk."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pki_template, data / "pki")
    values: dict[str, Any] = {
        "data_dir": data,
        "database_url": database.url,
        "signing_level": "B-B",
        "public_url": "https://vanan.chilinh.haiduong.gov.vn",
    }
    values.update(settings)
    service = Service(settings=Settings(**values), db=database, catalog=default_catalog("HD"))
    with database.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        user = create_user(
            s,
            SYSTEM,
            username="clerk",
            full_name="Lê Thị Thu",
            role=UserRole.CLERK,
            password=PASSWORD,
        )
        clerk = Actor.of(user)
    return service, clerk


@dataclass(frozen=True)
class Issued:
    id: int
    token: str
    seal: str
    sha256: str
    total: int


def _issued(s: Any, r: Receipt) -> Issued:
    s.flush()
    return Issued(
        id=r.id, token=r.token, seal=r.seal or "", sha256=r.document.sha256, total=r.total
    )


# Adjustment receipts exist only for receipts issued under NĐ 123/2020 (before 1/7/2026;
# TT 91/2026 Điều 20 has none): a receipt to adjust is issued on this day, in VA-26E.
OLD_SCHEME_DAY = dt.datetime(2026, 6, 30, 9, tzinfo=VIETNAM_TZ)


def issue(
    service: Service,
    clerk: Actor,
    *,
    payer: str = PAYER,
    pages: int = 3,
    issued_at: dt.datetime | None = None,
) -> Issued:
    with service.db.transaction() as s:
        r = flows.issue_receipt(
            s,
            clerk,
            service,
            payer_name=payer,
            payer_address=ADDRESS,
            payment_method=PaymentMethod.BANK_TRANSFER,
            fees=flows.FeeInput(procedure_code="CT-BS", pages=pages, copies=2),
            issued_at=issued_at,
        )
        return _issued(s, r)


def cancel(
    service: Service, clerk: Actor, receipt_id: int, reason: str, *, code: str | None = None
) -> None:
    with service.db.transaction() as s:
        flows.cancel_receipt(s, clerk, receipt_id, reason=reason, reason_code=code)


def replace(service: Service, clerk: Actor, receipt_id: int, reason: str) -> Issued:
    with service.db.transaction() as s:
        return _issued(s, flows.replace_receipt(s, clerk, service, receipt_id, reason=reason))


def adjust(service: Service, clerk: Actor, receipt_id: int, reason: str) -> Issued:
    with service.db.transaction() as s:
        new = flows.adjust_receipt(
            s,
            clerk,
            service,
            receipt_id,
            kind=flows.AdjustmentKind.INCREASE,
            reason=reason,
            fees=flows.FeeInput(procedure_code="CT-BS", pages=1, copies=1),
        )
        return _issued(s, new)
