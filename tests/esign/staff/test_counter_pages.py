"""The counter's other pages without a browser: two active series, replace, search (number,
payer without diacritics, dossier, dates), the day's totals by payment method and closing, the
A4/A5 paper copy, and the doors a clerk may not open."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from esign.db.models import AuditEntry, Receipt, ReceiptStatus
from esign.workflows.actors import SYSTEM
from esign.workflows.search import fold
from esign.workflows.series import create_series
from receipts.calendar import VIETNAM_TZ
from tests.utils import scheme_now

from .conftest import Staff, hidden

ADDRESS = "Khu dân cư Văn An 1, phường Văn An"
PAYERS = [
    # name, method, pages, copies: CT-BS is 2 000 đ a page for the first two pages, 1 000 đ
    # from the third, per copy (see receipts' catalog)
    ("Đỗ Thị Hằng", "cash", "1", "1"),
    ("Trần Văn Bình", "bank_transfer", "3", "2"),
    ("Nguyễn Thị Ánh Tuyết", "cash", "2", "1"),
    ("Lê Đức Anh", "online", "1", "3"),
    ("Phạm Quốc Việt", "cash", "4", "1"),
]


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM_TZ).date()


def _error(page: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="err-{re.escape(name)}">([^<]*)</span>', page)
    return html.unescape(found.group(1)) if found else ""


def _issue(
    client: TestClient, name: str, method: str, pages: str, copies: str, **extra: str
) -> int:
    page = client.get("/staff/").text
    data = {
        "csrf": hidden(page, "csrf"),
        "form_key": hidden(page, "form_key"),
        "procedure": "CT-BS",
        "pages": pages,
        "copies": copies,
        "payer_name": name,
        "payer_address": ADDRESS,
        "payment_method": method,
        "action": "issue",
        **extra,
    }
    r = client.post("/staff/receipts", data=data)
    assert r.status_code == 303, re.findall(r'role="alert"[^>]*>([^<]*)<', r.text)
    return int(r.headers["location"].split("issued=")[1].split("&")[0])


def test_two_active_series_do_not_break_the_counter(staff: Staff) -> None:
    """Today the law sets the one series (NĐ 254/2026): registered series, however many are
    active, are no choice to make and no error; numbers run on in the law's series."""
    with staff.api.service.db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26P")
    clerk = staff.login("clerk")
    ids = [_issue(clerk, name, "cash", "1", "1") for name, *_ in PAYERS[:3]]
    page = clerk.get("/staff/").text
    assert '<select name="series"' not in page
    with staff.api.service.db.reading() as s:
        got = [(r.template_symbol, r.series, r.number) for r in s.scalars(select(Receipt))]
    assert got == [(scheme_now.TEMPLATE, scheme_now.SERIES, n) for n in (1, 2, 3)]
    assert len(ids) == 3


def test_replace_search_daybook_and_closing(staff: Staff) -> None:
    clerk = staff.login("clerk")
    ids = [_issue(clerk, *p) for p in PAYERS]
    # Replace the second one: the payer's name was misspelt.
    page = clerk.get("/staff/").text
    r = clerk.post(
        f"/staff/receipts/{ids[1]}/replace",
        data={
            "csrf": hidden(page, "csrf"),
            "reason_code": "sai_thong_tin_nguoi_nop",
            "reason": "",
            "payer_name": "Trần Văn Bính",
            "payer_address": "",
            "payment_method": "",
        },
    )
    assert r.status_code == 422 and "Không thay thế được biên lai" in html.unescape(r.text)
    assert _error(r.text, "replace-reason") == "Hãy nhập lý do thay thế"
    assert 'value="Trần Văn Bính"' in html.unescape(r.text)  # what was typed is kept
    r = clerk.post(
        f"/staff/receipts/{ids[1]}/replace",
        data={
            "csrf": hidden(page, "csrf"),
            "reason_code": "sai_thong_tin_nguoi_nop",
            "reason": "Gõ nhầm dấu tên người nộp",
            "payer_name": "Trần Văn Bính",
            "payer_address": "",
            "payment_method": "",
        },
    )
    assert r.status_code == 303
    new_id = int(r.headers["location"].split("issued=")[1].split("&")[0])
    shown = html.unescape(clerk.get(r.headers["location"]).text)
    assert "đã được thay thế bằng biên lai mới" in shown
    with staff.api.service.db.reading() as s:
        old, new = s.get(Receipt, ids[1]), s.get(Receipt, new_id)
        assert old is not None and new is not None
        assert old.status is ReceiptStatus.REPLACED and new.replaces_id == old.id
        assert new.payer_name == "Trần Văn Bính" and new.total == old.total
        receipts = {r.id: r for r in s.scalars(select(Receipt))}

    # Search by a name typed without diacritics, by part of it, by number, by date range.
    for typed, expected in [
        ("do thi hang", {ids[0]}),
        ("DO THI HANG", {ids[0]}),
        ("anh tuyet", {ids[2]}),
        ("tran van", {ids[1], new_id}),
        ("duc anh", {ids[3]}),
        ("viet", {ids[4]}),
        ("nguyen van", set()),
    ]:
        r = clerk.get("/staff/receipts/search", params={"payer": typed})
        found = {int(i) for i in re.findall(r'<tr id="receipt-(\d+)"', r.text)}
        assert found == expected, typed
        for i in found:  # the folded name holds every typed word
            assert all(w in fold(receipts[i].payer_name) for w in fold(typed).split())
    number = receipts[ids[3]].number
    r = clerk.get("/staff/receipts/search", params={"number": scheme_now.number(number)})
    assert {int(i) for i in re.findall(r'<tr id="receipt-(\d+)"', r.text)} == {ids[3]}
    today = _today()
    yesterday = today - dt.timedelta(days=1)
    r = clerk.get(
        "/staff/receipts/search",
        params={"from": (today - dt.timedelta(days=3)).isoformat(), "to": today.isoformat()},
    )
    assert len(re.findall(r'<tr id="receipt-(\d+)"', r.text)) == 6
    r = clerk.get(
        "/staff/receipts/search",
        params={"from": (today - dt.timedelta(days=3)).isoformat(), "to": str(yesterday)},
    )
    assert re.findall(r'<tr id="receipt-(\d+)"', r.text) == []
    r = clerk.get("/staff/receipts/search", params={"from": today.isoformat(), "to": "2020-01-01"})
    assert r.status_code == 422
    assert _error(r.text, "date_to") == "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc"
    r = clerk.get("/staff/receipts/search", params={"number": "12a"})
    assert r.status_code == 422 and _error(r.text, "number") == "Số biên lai gồm tối đa 8 chữ số"

    # The day: every receipt listed, the replaced one not counted; totals by method by hand.
    by_method: dict[str, list[int]] = {"cash": [0, 0], "bank_transfer": [0, 0], "online": [0, 0]}
    for r_ in receipts.values():
        if r_.status is ReceiptStatus.ISSUED:
            by_method[r_.payment_method][0] += 1
            by_method[r_.payment_method][1] += r_.total
    assert by_method["bank_transfer"][0] == 1  # the replacement, not the replaced
    book = clerk.get("/staff/daybook")
    assert book.status_code == 200
    text = html.unescape(book.text)
    assert len(re.findall(r'<tr id="receipt-(\d+)"', book.text)) == 6
    for method, (count, amount) in by_method.items():
        row = re.search(rf'<tr id="method-{method}">(.*?)</tr>', text)
        assert row, method
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
        assert cells[1] == str(count)
        assert cells[2] == f"{amount:,}".replace(",", ".") + " đ"
    total = sum(a for _, a in by_method.values())
    shown_total = re.search(r'id="total-amount">([^<]*)<', text)
    assert shown_total and shown_total.group(1) == f"{total:,}".replace(",", ".") + " đ"
    r = clerk.post(
        "/staff/daybook/close", data={"csrf": hidden(book.text, "csrf"), "day": today.isoformat()}
    )
    assert r.status_code == 303
    closed = html.unescape(clerk.get("/staff/daybook").text)
    assert "Đã chốt sổ lúc" in closed and 'id="close-day"' not in closed
    again = clerk.post(
        "/staff/daybook/close", data={"csrf": hidden(book.text, "csrf"), "day": today.isoformat()}
    )
    assert again.status_code == 409 and "đã chốt sổ rồi" in html.unescape(again.text)
    with staff.api.service.db.reading() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "daybook.close")).all()
        assert len(entries) == 1 and f'"amount":{total}' in entries[0].details


def test_paper_copy_in_a4_and_a5(staff: Staff, tmp_path: Path) -> None:
    clerk = staff.login("clerk")
    receipt_id = _issue(clerk, "Đỗ Thị Hằng", "cash", "3", "1")
    sizes = {}
    for size in ("A4", "A5"):
        r = clerk.get(f"/staff/receipts/{receipt_id}/print", params={"size": size})
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        path = tmp_path / f"{size}.pdf"
        path.write_bytes(r.content)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
        assert found
        sizes[size] = (round(float(found.group(1))), round(float(found.group(2))))
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        assert "Đỗ Thị Hằng" in text.stdout
    assert sizes == {"A4": (595, 842), "A5": (420, 595)}
    assert (
        clerk.get(f"/staff/receipts/{receipt_id}/print", params={"size": "A3"}).status_code == 422
    )


def test_a_clerk_cannot_open_the_signing_inbox_or_administration(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    r = clerk.post("/staff/sign", data={"csrf": hidden(page, "csrf"), "password": "x"})
    assert r.status_code == 403 and "Việc này chỉ dành cho" in html.unescape(r.text)
    for path in (
        "/staff/admin/users",
        "/staff/admin/certificates",
        "/staff/admin/series",
        "/staff/admin/catalog",
        "/staff/admin/audit",
        "/staff/sign/jobs/abc",
    ):
        r = clerk.get(path)
        assert r.status_code == 403, (path, r.status_code)
        assert "Việc này chỉ dành cho" in html.unescape(r.text), path
    # And the desks of a clerk are closed to an official and an administrator.
    for username in ("tuphap", "admin"):
        other = staff.login(username)
        for path in ("/staff/intake", "/staff/daybook", "/staff/receipts/search"):
            r = other.get(path)
            assert r.status_code == 403, (username, path)
            assert "Việc này chỉ dành cho" in html.unescape(r.text)


def test_the_correction_notice_from_the_receipt(staff: Staff) -> None:
    clerk = staff.login("clerk")
    receipt_id = _issue(clerk, "Đỗ Thị Hằng", "cash", "1", "1")
    page = clerk.get("/staff/").text
    assert f'action="/staff/receipts/{receipt_id}/notice"' in page
    form = {"csrf": hidden(page, "csrf"), "error": "payer_address", "notified_to": "Điện thoại"}
    r = clerk.post(f"/staff/receipts/{receipt_id}/notice", data={**form, "description": " "})
    assert r.status_code == 422
    assert "không được để trống" in _error(r.text, "notice-description")
    assert 'value="Điện thoại"' in html.unescape(r.text)
    r = clerk.post(
        f"/staff/receipts/{receipt_id}/notice",
        data={**form, "description": "Địa chỉ đúng: Khu dân cư Văn An 2"},
    )
    assert r.status_code == 303
    assert "Đã lập thông báo sai sót" in html.unescape(clerk.get(r.headers["location"]).text)
    with staff.api.service.db.reading() as s:
        receipt = s.get(Receipt, receipt_id)
        assert receipt is not None and receipt.status is ReceiptStatus.ISSUED  # unchanged
        actions = s.scalars(select(AuditEntry.action)).all()
        assert "receipt.notice" in actions
    # An amount error is corrected by a replacement, not a notice: said on the page.
    r = clerk.post(
        f"/staff/receipts/{receipt_id}/notice",
        data={**form, "error": "amount", "description": "Thu thiếu"},
    )
    assert r.status_code == 422 and "biên lai thay thế" in html.unescape(r.text)
