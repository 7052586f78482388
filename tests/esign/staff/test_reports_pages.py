"""The reports desk: a seeded month's figures on the page, in the charts (read back from the
SVG) and in the CSV and Excel exports equal the values computed by hand below."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

import openpyxl

from esign.db.models import Dossier, DossierStatus, ReceiptStatus
from tests.esign.api.test_reports_api import EXEMPT, A, B, _line, _receipts

from .conftest import Staff

VN = dt.timezone(dt.timedelta(hours=7))
NOV = "date_from=2026-11-01&date_to=2026-11-30"


def vn(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN).astimezone(dt.UTC)


def _seed(staff: Staff) -> None:
    issued = ReceiptStatus.ISSUED
    _receipts(
        staff.api,
        [
            {
                "issued_at": vn(2, 10),
                "lines": [_line(A, 2, 10_000)],
                "payment_method": "cash",
                "status": issued,
            },
            {
                "issued_at": vn(2, 23),
                "lines": [_line(B, 1, 5_000)],
                "payment_method": "online",
                "status": issued,
            },
            # 00:30 on 1 December in Vietnam: December's, not November's
            {
                "issued_at": vn(1, 0, 30, month=12),
                "lines": [_line(A, 1, 10_000)],
                "payment_method": "bank_transfer",
                "status": issued,
            },
            {
                "issued_at": vn(15, 9),
                "lines": [_line(A, 3, 10_000)],
                "payment_method": "bank_transfer",
                "status": ReceiptStatus.ADJUSTED,
            },
            {
                "issued_at": vn(15, 10),
                "lines": [_line(B, 1, 5_000)],
                "payment_method": "cash",
                "status": ReceiptStatus.CANCELLED,
            },
            {
                "issued_at": vn(20, 8),
                "lines": [_line(EXEMPT, 1, 0)],
                "payment_method": "cash",
                "status": issued,
            },
            # an increase of the 15th's receipt (index 3), on the 20th
            {
                "issued_at": vn(20, 9),
                "lines": [_line(A, 1, 10_000)],
                "payment_method": "bank_transfer",
                "status": issued,
                "adjustment_kind": "increase",
                "ref": 3,
            },
        ],
    )
    rows: list[tuple[str, dt.datetime, dt.date, dt.datetime | None]] = [
        ("counter", vn(3, 9), dt.date(2026, 11, 6), vn(5, 10)),  # early
        ("online", vn(4, 9), dt.date(2026, 11, 10), vn(10, 23, 30)),  # on the due day
        ("online", vn(5, 9), dt.date(2026, 11, 12), vn(13, 0, 30)),  # late by 30 minutes
        ("online", vn(20, 9), dt.date(2026, 11, 25), None),  # overdue, still open
        ("online", vn(30, 9, month=10), dt.date(2026, 11, 3), vn(2, 9)),  # received in October
        ("counter", vn(28, 9), dt.date(2026, 12, 3), None),  # due in December
    ]
    with staff.api.service.db.transaction() as s:
        for i, (channel, received, due, returned) in enumerate(rows):
            s.add(
                Dossier(
                    code=f"HS-NOV-{i}",
                    procedure_code="HT-XNTTHN",
                    applicant_name="Bùi Thị Trang",
                    applicant_address="Văn An 1",
                    channel=channel,
                    status=DossierStatus.RETURNED if returned else DossierStatus.PROCESSING,
                    received_at=received,
                    due_date=due,
                    returned_at=returned,
                )
            )


# By hand: counted receipts on the 2nd (20 000 + 5 000), the 15th (30 000), the 20th (an
# exempt 0 and an increase of 10 000); the cancelled one and December's are out.
DAYS = {2: (2, 0, 25_000), 15: (1, 0, 30_000), 20: (1, 1, 10_000)}
TOTAL = 65_000
ITEMS = [(A[0], 5, 60_000), (B[0], 1, 5_000), (EXEMPT[0], 1, 0)]
METHODS = {"Tiền mặt": (1, 20_000), "Chuyển khoản": (1, 30_000), "Trực tuyến": (1, 5_000)}
# (count, of, percent): online dossiers 3 of 5 received; payments online or by transfer 2 of
# 3 (the exempt receipt is no payment); on time 3 of 5 due (2 early, 1 late, 1 overdue).
INDICATORS = [(3, 5, 60.0), (2, 3, 66.67), (3, 5, 60.0)]


def _cells(table_html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, re.S)
    return [
        [html.unescape(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
        for r in rows
    ]


def _table(page: str, table_id: str) -> list[list[str]]:
    found = re.search(rf'<table class="table" id="{table_id}">(.*?)</table>', page, re.S)
    assert found, table_id
    return _cells(found.group(1))


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def test_month_figures_on_the_page(staff: Staff) -> None:
    _seed(staff)
    admin = staff.login("admin")
    page = admin.get(f"/staff/reports?{NOV}")
    assert page.status_code == 200, page.text
    by_day = _table(page.text, "by-day")
    assert len(by_day) == 1 + 30 + 1  # header, the 30 days, the total
    for row in by_day[1:-1]:
        day = int(row[0][:2])
        receipts, adjustments, amount = DAYS.get(day, (0, 0, 0))
        assert row[1:] == [str(receipts), str(adjustments), _vnd(amount)], row
    assert by_day[-1] == ["Tổng cộng", "4", "1", _vnd(TOTAL)]
    assert _table(page.text, "by-month")[1:] == [["11/2026", "4", "1", _vnd(TOTAL)]]
    items = _table(page.text, "by-item")[1:]
    assert [(r[0], int(r[2]), r[3]) for r in items] == [(n, q, _vnd(a)) for n, q, a in ITEMS]
    methods = _table(page.text, "by-method")[1:]
    assert {r[0]: (int(r[1]), r[2]) for r in methods} == {
        k: (n, _vnd(a)) for k, (n, a) in METHODS.items()
    }
    assert [r[1] for r in _table(page.text, "dossiers")] == ["5", "3", "2", "1", "1", "0"]
    text = html.unescape(page.text)
    assert "60,00 %" in text and "66,67 %" in text and "3 / 5" in text and "2 / 3" in text


def _svg_values(svg: str) -> list[int]:
    return [int(v) for v in re.findall(r'<desc class="value">([^<]*)</desc>', svg)]


def test_chart_values_equal_the_tables(staff: Staff) -> None:
    _seed(staff)
    admin = staff.login("admin")
    days = admin.get(f"/staff/reports/chart/days.svg?{NOV}")
    assert days.status_code == 200 and days.headers["content-type"].startswith("image/svg+xml")
    assert (
        "<script" not in days.text
        and "default-src 'none'" in days.headers["content-security-policy"]
    )
    assert _svg_values(days.text) == [DAYS.get(d, (0, 0, 0))[2] for d in range(1, 31)]
    items = admin.get(f"/staff/reports/chart/items.svg?{NOV}").text
    assert _svg_values(items) == [a for _, _, a in ITEMS]
    methods = admin.get(f"/staff/reports/chart/methods.svg?{NOV}").text
    assert _svg_values(methods) == [1, 1, 1]
    assert admin.get(f"/staff/reports/chart/nothing.svg?{NOV}").status_code == 404


def test_exports_equal_the_tables(staff: Staff) -> None:
    _seed(staff)
    admin = staff.login("admin")
    r = admin.get(f"/staff/reports/export.csv?{NOV}")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    blocks: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in rows[1:]:
        if not row:
            current = []
            continue
        if not current and len(row) == 1:
            blocks[row[0]] = current
            continue
        current.append(row)
    day_rows = blocks["Theo ngày"][1:]
    assert day_rows[-1] == ["Tổng cộng", "4", "1", str(TOTAL)]
    assert {
        int(r[0][:2]): (int(r[1]), int(r[2]), int(r[3])) for r in day_rows[:-1] if r[3] != "0"
    } == DAYS
    assert [(r[0], int(r[2]), int(r[3])) for r in blocks["Theo khoản phí"][1:]] == ITEMS
    assert [(int(r[1]), int(r[2]), float(r[3])) for r in blocks["Chỉ số"][1:]] == INDICATORS

    x = admin.get(f"/staff/reports/export.xlsx?{NOV}")
    assert x.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(x.content))
    sheet: Any = book["Theo ngày"]
    values = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert values[-1] == ["Tổng cộng", 4, 1, TOTAL]
    assert {int(str(r[0])[:2]): (r[1], r[2], r[3]) for r in values[:-1] if r[3]} == DAYS
    month: Any = book["Theo tháng"]
    assert [list(r) for r in month.iter_rows(min_row=2, values_only=True)] == [
        ["2026-11", 4, 1, TOTAL]
    ]
    items: Any = book["Theo khoản phí"]
    assert [(r[0], r[2], r[3]) for r in items.iter_rows(min_row=2, values_only=True)] == ITEMS
    kpi: Any = book["Chỉ số"]
    assert [tuple(r[1:]) for r in kpi.iter_rows(min_row=2, values_only=True)] == INDICATORS


def test_range_errors_in_vietnamese_next_to_the_field_keep_the_input(staff: Staff) -> None:
    admin = staff.login("admin")
    page = admin.get("/staff/reports?date_from=2026-13-01&date_to=2026-11-30")
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert 'value="2026-13-01"' in text and "Ngày bắt đầu không hợp lệ" in text
    page = admin.get("/staff/reports?date_from=2026-11-30&date_to=2026-11-01")
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi" in html.unescape(page.text)
    # An official reads no reports.
    assert staff.login("tuphap").get(f"/staff/reports?{NOV}").status_code == 403


def test_the_json_report_says_the_same(staff: Staff) -> None:
    _seed(staff)
    summary = staff.api.login("clerk").get(
        "/api/v1/reports/summary", params={"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert summary.status_code == 200
    body = summary.json()
    assert body["fees"]["by_month"] == [
        {"month": "2026-11", "receipts": 4, "adjustments": 1, "amount": TOTAL}
    ]
    assert body["dossiers"]["returned_early"] == 2
    assert body["intake"] == {"received": 5, "online": {"count": 3, "of": 5, "percent": 60.0}}
    shares = [body["intake"]["online"], body["payments"]["online"], body["dossiers"]["on_time"]]
    assert [(s["count"], s["of"], s["percent"]) for s in shares] == INDICATORS
