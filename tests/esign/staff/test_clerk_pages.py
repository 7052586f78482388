"""The clerk's counter: quote, issue (once per form), today's list, cancel, bad input."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from esign.db.models import IdempotencyKey, Receipt, ReceiptStatus
from esign.staff.clerk import ReceiptForm
from esign.workflows.idempotency import request_hash
from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Channel
from receipts.fees import quote
from receipts.money import amount_in_words, format_vnd
from tests.utils import scheme_now

from .conftest import Staff, hidden

PAYER = "Bùi Thị Trang"
ADDRESS = "Khu dân cư Văn An 1, phường Văn An"


def _form(page: str, **fields: str) -> dict[str, str]:
    data = {
        "csrf": hidden(page, "csrf"),
        "form_key": hidden(page, "form_key"),
        "procedure": "CT-BS",
        "pages": "3",
        "copies": "2",
        "cases": "",
        "category": "",
        "payer_name": PAYER,
        "payer_address": ADDRESS,
        "payment_method": "cash",
    }
    data.update(fields)
    return data


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM_TZ).date()


def _text(r_text: str) -> str:
    return html.unescape(r_text)


def test_clerk_quotes_then_issues_a_receipt(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    assert "Chứng thực bản sao từ bản chính giấy tờ, văn bản" in page  # the catalog, in Vietnamese
    assert "Người thuộc hộ nghèo" in page  # an exemption category

    expected = quote("CT-BS", on=_today(), pages=3, copies=2, catalog=staff.api.service.catalog)
    assert expected.total == 10_000
    shown = clerk.post("/staff/receipts", data=_form(page, action="quote"))
    assert shown.status_code == 200
    text = _text(shown.text)
    assert "Kết quả tính phí" in text
    assert format_vnd(expected.total) in text and amount_in_words(expected.total) in text
    assert "Thông tư 226/2016/TT-BTC" in text  # the legal basis
    assert hidden(shown.text, "payer_name") == PAYER  # the form is kept
    assert staff.receipts() == 0  # a quote issues nothing

    issued = clerk.post("/staff/receipts", data=_form(shown.text, action="issue"))
    assert issued.status_code == 303
    with staff.api.service.db.reading() as s:
        receipt = s.scalars(select(Receipt)).one()
        assert receipt.payer_name == PAYER and receipt.total == expected.total
        assert receipt.status is ReceiptStatus.ISSUED
        number, token, receipt_id = scheme_now.number(receipt.number), receipt.token, receipt.id
    assert issued.headers["location"] == f"/staff/?issued={receipt_id}"
    done = clerk.get(issued.headers["location"])
    text = _text(done.text)
    assert "Đã xuất biên lai điện tử" in text
    assert f'id="receipt-number">{number}<' in text
    assert f'id="receipt-total">{format_vnd(expected.total)}<' in text
    assert amount_in_words(expected.total) in text
    assert f"/v/{token}" in text
    pdf = clerk.get(f"/api/v1/receipts/{receipt_id}/pdf")  # the link works with the cookie
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'id="receipt-{receipt_id}"' in text  # today's list
    assert hidden(done.text, "form_key") != hidden(page, "form_key")  # a fresh form


def test_online_submission_and_exemption_change_the_quote(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    catalog = staff.api.service.catalog
    counter = quote("HT-XNTTHN", on=_today(), catalog=catalog)
    online = quote("HT-XNTTHN", on=_today(), channel=Channel.ONLINE, catalog=catalog)
    assert online.total < counter.total
    base = _form(page, action="quote", procedure="HT-XNTTHN", pages="", copies="1")
    r = clerk.post("/staff/receipts", data={**base, "online": "1"})
    assert f'id="quote-total">{format_vnd(online.total)}<' in r.text
    assert 'name="online" value="1" checked' in r.text
    r = clerk.post("/staff/receipts", data={**base, "category": "poor_household"})
    assert 'id="quote-total">0 đ<' in r.text
    assert "Miễn: Người thuộc hộ nghèo" in _text(r.text)


def test_a_double_submit_issues_one_receipt(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    data = _form(page, action="issue")
    first = clerk.post("/staff/receipts", data=data)
    second = clerk.post("/staff/receipts", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"] + "&again=1"
    assert staff.receipts() == 1
    again = _text(clerk.get(second.headers["location"]).text)
    assert "chỉ một biên lai được xuất" in again

    # Two presses at once: the second waits for the first and shows the same receipt.
    data = _form(clerk.get("/staff/").text, action="issue", payer_name="Nguyễn Văn An")
    cookies = dict(clerk.cookies)

    def press() -> str:
        with TestClient(staff.api.client.app, follow_redirects=False, cookies=cookies) as c:
            r = c.post("/staff/receipts", data=data)
            assert r.status_code == 303, r.text
            return r.headers["location"].removesuffix("&again=1")

    with ThreadPoolExecutor(2) as pool:
        locations = set(pool.map(lambda _: press(), range(2)))
    assert len(locations) == 1
    assert staff.receipts() == 2

    # The same form key with other fields: refused, a new key offered, nothing issued.
    changed = clerk.post("/staff/receipts", data={**data, "payer_name": "Người khác"})
    assert changed.status_code == 409
    assert "đã dùng để xuất một biên lai khác" in _text(changed.text)
    assert hidden(changed.text, "form_key") != data["form_key"]
    assert staff.receipts() == 2


def _field_error(page: str, name: str) -> str:
    """The error shown next to the field ``name`` ('' when none)."""
    found = re.search(rf'<span class="field-error" id="err-{name}">([^<]*)</span>', page)
    return html.unescape(found.group(1)) if found else ""


def test_bad_input_keeps_the_form_and_says_why(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    cases = [
        ({"payer_name": "   "}, "payer_name", "Họ tên người nộp không được để trống"),
        ({"payer_address": ""}, "payer_address", "Địa chỉ người nộp không được để trống"),
        ({"pages": "ba"}, "pages", "Số trang phải là số nguyên dương"),
        ({"pages": ""}, "pages", "Thủ tục này tính phí theo trang: hãy nhập số trang"),
        ({"pages": "99999"}, "pages", "Số trang phải từ 1 đến"),
        ({"copies": "0"}, "copies", "Số bản phải từ 1 đến 1000"),
        ({"cases": "-2"}, "cases", "Số trường hợp phải là số nguyên dương"),
        ({"procedure": ""}, "procedure", "Hãy chọn thủ tục"),
        ({"procedure": "CT-XX"}, "procedure", "Không tìm thấy thủ tục nào khớp “CT-XX”"),
        ({"procedure": "khai sinh"}, "procedure", "thủ tục khớp “khai sinh”: hãy gõ cụ thể hơn"),
        ({"payment_method": "the"}, "payment_method", "Hãy chọn hình thức thanh toán"),
        ({"category": "vip"}, "category", "Không có đối tượng miễn phí này"),
    ]
    for fields, name, message in cases:
        r = clerk.post("/staff/receipts", data=_form(page, action="issue", **fields))
        assert r.status_code == 422, (fields, r.text)
        assert message in _field_error(r.text, name), (fields, _field_error(r.text, name))
        text = _text(r.text)
        assert "Traceback" not in text
        # No English field names leak into the page (the old "(pages)").
        for english in ("(pages)", "(copies)", "(cases)", "pages are required"):
            assert english not in text, (fields, english)
        assert f'name="{name}"' in r.text
        if name not in ("payment_method", "category"):
            # The field with the error has the focus, and says which message is its own.
            assert re.search(rf'name="{name}" value="[^"]*"[^>]*autofocus', r.text), fields
        for kept in ("payer_address", "pages", "copies", "procedure"):
            assert hidden(r.text, kept) == fields.get(kept, _form(page)[kept])
    assert staff.receipts() == 0
    # Two errors at once: each next to its own field.
    r = clerk.post("/staff/receipts", data=_form(page, action="issue", pages="x", payer_name=""))
    assert _field_error(r.text, "pages") == "Số trang phải là số nguyên dương"
    assert _field_error(r.text, "payer_name") == "Họ tên người nộp không được để trống"
    # A quote that cannot be made says so too, on the same page.
    r = clerk.post("/staff/receipts", data=_form(page, action="quote", pages="-1"))
    assert r.status_code == 422 and _field_error(r.text, "pages") == (
        "Số trang phải là số nguyên dương"
    )


def test_cancel_needs_a_reason(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/").text
    location = clerk.post("/staff/receipts", data=_form(page, action="issue")).headers["location"]
    receipt_id = int(location.rsplit("=", 1)[1])
    page = clerk.get(location).text
    url = f"/staff/receipts/{receipt_id}/cancel"

    empty = clerk.post(url, data={"csrf": hidden(page, "csrf"), "reason": "  "})
    assert empty.status_code == 422
    assert "Lý do không được để trống" in _text(empty.text)
    with staff.api.service.db.reading() as s:
        assert s.get(Receipt, receipt_id).status is ReceiptStatus.ISSUED  # type: ignore[union-attr]

    reason = "Thu nhầm thủ tục"
    done = clerk.post(url, data={"csrf": hidden(page, "csrf"), "reason": reason})
    assert done.status_code == 303
    text = _text(clerk.get(done.headers["location"]).text)
    assert "Đã hủy biên lai số" in text and reason in text
    with staff.api.service.db.reading() as s:
        receipt = s.get(Receipt, receipt_id)
        assert receipt is not None and receipt.status is ReceiptStatus.CANCELLED
    again = clerk.post(url, data={"csrf": hidden(page, "csrf"), "reason": reason})
    assert again.status_code == 409 and "không hủy được" in _text(again.text)


def test_a_second_press_waits_for_the_first_one(staff: Staff) -> None:
    clerk = staff.login("clerk")
    data = _form(clerk.get("/staff/").text, action="issue")
    fields: dict[str, Any] = {k: v for k, v in data.items() if k not in ("csrf", "action")}
    key = f"staff-receipt:{fields.pop('form_key')}"
    digest = request_hash(ReceiptForm(**fields).request())
    db, user_id = staff.api.service.db, staff.api.users["clerk"]
    # The first press is still signing: its claim is in flight, its answer comes a bit later.
    with db.transaction() as s:
        s.add(IdempotencyKey(key=key, user_id=user_id, request_sha256=digest, state="in_flight"))

    def first_press_finishes() -> None:
        with db.transaction() as s:
            row = s.get(IdempotencyKey, (key, user_id))
            assert row is not None
            row.state, row.status_code, row.response = "done", 201, '{"receipt_id": 4242}'

    timer = threading.Timer(0.5, first_press_finishes)
    timer.start()
    try:
        r = clerk.post("/staff/receipts", data=data)
    finally:
        timer.join()
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/?issued=4242&again=1"
    assert staff.receipts() == 0
