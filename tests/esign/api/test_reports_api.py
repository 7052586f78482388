"""Reports: fee totals by Vietnam day and fee item, payment shares, dossiers on time."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from esign.db.models import Dossier, DossierStatus, Receipt, ReceiptStatus, StoredDocument

from .conftest import Api

UTC = dt.UTC
VN = dt.timezone(dt.timedelta(hours=7))
URL = "/api/v1/reports/summary"
A = ("Lệ phí chứng thực bản sao", "Thông tư 226/2016/TT-BTC")
B = ("Lệ phí đăng ký hộ tịch", "Nghị quyết 11/2020/NQ-HĐND")
EXEMPT = ("Lệ phí đăng ký khai sinh", "Luật Hộ tịch 2014, điều 11")
_numbers = itertools.count(1)


def _line(item: tuple[str, str], quantity: int, unit: int) -> dict[str, Any]:
    return {
        "name": item[0],
        "legal_basis": item[1],
        "quantity": quantity,
        "unit_price": unit,
        "amount": quantity * unit,
        "exemption_reason": None,
    }


def _receipts(api: Api, rows: list[dict[str, Any]]) -> list[int]:
    """Stored as the issuing workflow would leave them, at chosen times (no PDF needed)."""
    ids: list[int] = []
    with api.service.db.transaction() as s:
        doc = StoredDocument(sha256="0" * 64, size=1, content=b"%")
        s.add(doc)
        s.flush()
        for row in rows:
            lines = row.pop("lines")
            ref = row.pop("ref", None)
            adjusting = bool(row.get("adjustment_kind"))
            receipt = Receipt(
                token=f"t{next(_numbers)}",
                template_symbol="01BLP0-001",
                series="TEST",
                year=2026,
                number=next(_numbers),
                unit_name="UBND phường Văn An",
                unit_tax_code="0800123456",
                unit_address="Văn An",
                payer_name="Bùi Thị Trang",
                payer_address="Văn An 1",
                lines=lines,
                total=sum(line["amount"] for line in lines),
                clerk_id=api.users["clerk"],
                clerk_name="Lê Thị Thu",
                document_id=doc.id,
                unsigned_sha256="0" * 64,
                adjusts_id=ids[ref] if ref is not None and adjusting else None,
                replaces_id=ids[ref] if ref is not None and not adjusting else None,
                **row,
            )
            s.add(receipt)
            s.flush()
            ids.append(receipt.id)
    return ids


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_fee_totals_by_vietnam_day_and_item(api: Api) -> None:
    issued, adjusted = ReceiptStatus.ISSUED, ReceiptStatus.ADJUSTED
    _receipts(
        api,
        [
            # 0: 00:30 on 1 March in Vietnam (17:30 UTC the day before)
            dict(
                issued_at=_at("2026-02-28 17:30"),
                payment_method="cash",
                status=adjusted,
                lines=[_line(A, 2, 10_000)],
            ),
            # 1: 23:59 on 28 February in Vietnam: outside the range
            dict(
                issued_at=_at("2026-02-28 16:59"),
                payment_method="cash",
                status=issued,
                lines=[_line(A, 9, 10_000)],
            ),
            # 2: 06:30 on 2 March in Vietnam, online, later adjusted down
            dict(
                issued_at=_at("2026-03-01 23:30"),
                payment_method="online",
                status=adjusted,
                lines=[_line(A, 1, 10_000), _line(B, 1, 5_000)],
            ),
            # 3: cancelled: not counted
            dict(
                issued_at=_at("2026-03-02 03:00"),
                payment_method="bank_transfer",
                status=ReceiptStatus.CANCELLED,
                lines=[_line(B, 7, 5_000)],
            ),
            # 4: the decrease of 2, on 3 March
            dict(
                issued_at=_at("2026-03-03 02:00"),
                payment_method="online",
                status=issued,
                adjustment_kind="decrease",
                ref=2,
                lines=[_line(A, 1, 4_000)],
            ),
            # 5: replaced by 6: only 6 counts
            dict(
                issued_at=_at("2026-03-03 01:00"),
                payment_method="cash",
                status=ReceiptStatus.REPLACED,
                lines=[_line(B, 1, 5_000)],
            ),
            dict(
                issued_at=_at("2026-03-03 01:30"),
                payment_method="bank_transfer",
                status=issued,
                ref=5,
                lines=[_line(B, 1, 5_000)],
            ),
            # 7: the increase of 0
            dict(
                issued_at=_at("2026-03-03 03:00"),
                payment_method="cash",
                status=issued,
                adjustment_kind="increase",
                ref=0,
                lines=[_line(A, 1, 3_000)],
            ),
            # 8: an information adjustment of 6: no amount, left out
            dict(
                issued_at=_at("2026-03-03 04:00"),
                payment_method="bank_transfer",
                status=issued,
                adjustment_kind="information",
                ref=6,
                lines=[_line(("Điều chỉnh thông tin", "—"), 1, 0)],
            ),
            # 9: an exempted fee: counted (0 đồng) but not a payment
            dict(
                issued_at=_at("2026-03-03 05:00"),
                payment_method="cash",
                status=issued,
                lines=[_line(EXEMPT, 1, 0)],
            ),
        ],
    )
    r = api.login("clerk").get(URL, params={"date_from": "2026-03-01", "date_to": "2026-03-03"})
    assert r.status_code == 200, r.text
    fees = r.json()["fees"]
    assert fees["by_day"] == [
        {"day": "2026-03-01", "receipts": 1, "adjustments": 0, "amount": 20_000},
        {"day": "2026-03-02", "receipts": 1, "adjustments": 0, "amount": 15_000},
        {"day": "2026-03-03", "receipts": 2, "adjustments": 2, "amount": 4_000},
    ]
    assert (fees["total"], fees["receipts"], fees["adjustments"]) == (39_000, 4, 2)
    assert fees["by_fee_item"] == [
        {"name": A[0], "legal_basis": A[1], "quantity": 3, "amount": 29_000},
        {"name": B[0], "legal_basis": B[1], "quantity": 2, "amount": 10_000},
        {"name": EXEMPT[0], "legal_basis": EXEMPT[1], "quantity": 1, "amount": 0},
    ]
    payments = r.json()["payments"]
    assert payments["payments"] == 3  # 0, 2 and 6: adjustments and the exempted fee are not
    assert {m["method"]: (m["payments"], m["amount"]) for m in payments["by_method"]} == {
        "cash": (1, 20_000),
        "online": (1, 15_000),
        "bank_transfer": (1, 5_000),
    }
    assert payments["online"] == {"count": 2, "of": 3, "percent": 66.67}
    assert payments["cash"] == {"count": 1, "of": 3, "percent": 33.33}

    # One day: the day boundary is Vietnam's, not UTC's.
    one = api.login("admin").get(URL, params={"date_from": "2026-02-28", "date_to": "2026-02-28"})
    assert one.json()["fees"]["by_day"] == [
        {"day": "2026-02-28", "receipts": 1, "adjustments": 0, "amount": 90_000}
    ]


def _dossiers(api: Api, rows: list[tuple[dt.date, dt.datetime | None]]) -> None:
    with api.service.db.transaction() as s:
        for i, (due, returned_at) in enumerate(rows):
            s.add(
                Dossier(
                    code=f"HS-TEST-{i}",
                    procedure_code="HT-XNTTHN",
                    applicant_name="Bùi Thị Trang",
                    applicant_address="Văn An 1",
                    channel="online",
                    status=DossierStatus.RETURNED if returned_at else DossierStatus.PROCESSING,
                    received_at=dt.datetime.combine(due, dt.time(), UTC) - dt.timedelta(days=3),
                    due_date=due,
                    returned_at=returned_at,
                )
            )


def test_dossiers_returned_on_time(api: Api) -> None:
    today = dt.datetime.now(VN).date()
    day = dt.timedelta(days=1)

    def vn(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(date, dt.time(hour, minute), VN)

    _dossiers(
        api,
        [
            (today - 3 * day, vn(today - 2 * day, 0, 30)),  # late: still the due day in UTC
            (today - 3 * day, vn(today - 4 * day, 10)),  # early
            (today - day, vn(today - day, 23, 59)),  # on the due day itself
            (today - 2 * day, None),  # open, overdue
            (today + 2 * day, None),  # open, not yet due
            (today, None),  # due today: not overdue yet
            (today + 20 * day, None),  # due outside the range
            (today - 10 * day, None),  # due outside the range
        ],
    )
    r = api.login("admin").get(
        URL,
        params={
            "date_from": (today - 5 * day).isoformat(),
            "date_to": (today + 5 * day).isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["dossiers"] == {
        "due": 6,
        "returned_on_time": 2,
        "returned_late": 1,
        "open_overdue": 1,
        "open_not_yet_due": 2,
        "on_time": {"count": 2, "of": 4, "percent": 50.0},
        "returned_early": 1,  # the one returned 4 days before its due day
    }


def test_real_receipts_cancelled_replaced_and_adjusted(api: Api) -> None:
    clerk = api.login("clerk")
    body = {
        "payer_name": "Nguyễn Văn Bình",
        "payer_address": "Số 5 đường Trần Hưng Đạo, phường Văn An",
        "payment_method": "cash",
        "fees": {"procedure_code": "CT-BS", "pages": 3, "copies": 2},
    }
    first = clerk.post("/api/v1/receipts", json=body).json()
    second = clerk.post("/api/v1/receipts", json={**body, "payment_method": "online"}).json()
    r = clerk.post(f"/api/v1/receipts/{second['id']}/cancel", json={"reason": "Nhập sai"})
    assert r.status_code == 200, r.text
    r = clerk.post(
        f"/api/v1/receipts/{first['id']}/replace",
        json={"reason": "Sai hình thức thanh toán", "payment_method": "bank_transfer"},
    )
    assert r.status_code in (200, 201), r.text
    replacement = r.json()
    decrease = {
        "name": "Giảm lệ phí chứng thực",
        "legal_basis": "Thông tư 226/2016/TT-BTC",
        "quantity": 1,
        "unit_price": 1_000,
        "amount": 1_000,
    }
    # Receipts issued today are under NĐ 254/2026: no adjustment receipts (TT 91/2026 Điều 20);
    # adjustments of older receipts are read by the summary (test above, synthetic rows).
    r = clerk.post(
        f"/api/v1/receipts/{replacement['id']}/adjust",
        json={"kind": "decrease", "reason": "Thu thừa", "fees": {"lines": [decrease]}},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "adjustment_not_allowed"

    summary = clerk.get(URL).json()  # default range: this month up to today
    fees = summary["fees"]
    assert fees["total"] == replacement["total"] > 0
    assert (fees["receipts"], fees["adjustments"]) == (1, 0)
    today = [d for d in fees["by_day"] if d["amount"]]
    assert len(today) == 1 and today[0]["day"] == dt.datetime.now(VN).date().isoformat()
    items = {i["name"]: i["amount"] for i in fees["by_fee_item"]}
    assert "Giảm lệ phí chứng thực" not in items
    assert sum(items.values()) == fees["total"]
    assert summary["payments"]["online"] == {"count": 1, "of": 1, "percent": 100.0}


def test_who_may_read_reports_and_bad_ranges(api: Api) -> None:
    params = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    assert api.login("clerk").get(URL, params=params).status_code == 200
    admin = api.login("admin")
    assert admin.get(URL, params=params).json()["payments"]["online"]["percent"] is None
    official = api.login("tuphap").get(URL, params=params)
    assert official.status_code == 403 and official.json()["error"]["code"] == "forbidden"
    anonymous = api.client.get(URL, params=params)
    assert anonymous.status_code == 401
    backwards = admin.get(URL, params={"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["error"]["code"] == "invalid_input"
    too_long = admin.get(URL, params={"date_from": "2025-01-01", "date_to": "2026-01-02"})
    assert too_long.status_code == 422
    for far in ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, {"date_to": "9999-12-31"}):
        assert admin.get(URL, params=far).status_code == 422
    year = admin.get(URL, params={"date_from": "2024-01-01", "date_to": "2024-12-31"})
    assert year.status_code == 200 and len(year.json()["fees"]["by_day"]) == 366
