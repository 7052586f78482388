"""The intake desk without a browser: receive (picked by a name typed without diacritics), the
slips with the due date of the calendar, asking for more papers, the timeline, the dossier's
fee, and the result drafted from the dossier with a preview, then created."""

from __future__ import annotations

import datetime as dt
import html
import re

from esign.db.models import DossierStatus
from esign.workflows.dossiers import get_dossier
from esign.workflows.intake import timeline
from receipts.calendar import VIETNAM_TZ, due_date
from receipts.fees import quote

from .conftest import Staff, hidden

NAME = "Đỗ Thị Hằng"
ADDRESS = "Số 5 ngõ 12, phường Văn An"


def _error(page: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="err-{re.escape(name)}">([^<]*)</span>', page)
    return html.unescape(found.group(1)) if found else ""


def _receive(staff: Staff, client: object, **fields: str) -> str:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    page = client.get("/staff/intake").text
    data = {
        "csrf": hidden(page, "csrf"),
        "procedure": "chung thuc ban sao",
        "channel": "counter",
        "applicant_name": NAME,
        "applicant_address": ADDRESS,
        "pages": "4",
        "copies": "3",
        "cases": "",
        "category": "",
    }
    data.update(fields)
    r = client.post("/staff/intake", data=data)
    assert r.status_code == 303, _error(r.text, "procedure") or r.text[:400]
    return str(r.headers["location"])


def test_receive_picks_the_procedure_by_a_name_without_diacritics(staff: Staff) -> None:
    clerk = staff.login("clerk")
    catalog = staff.api.service.catalog
    typed_to_code = {
        "chung thuc ban sao": "CT-BS",
        "CT-BS": "CT-BS",
        "Xác nhận tình trạng hôn nhân": "HT-XNTTHN",
        "xac nhan tinh trang hon nhan": "HT-XNTTHN",
        "HT-XNTTHN · Cấp Giấy xác nhận": "HT-XNTTHN",
    }
    for typed, code in typed_to_code.items():
        where = _receive(staff, clerk, procedure=typed)
        dossier_id = int(where.split("/")[-1].split("?")[0])
        with staff.api.service.db.reading() as s:
            d = get_dossier(s, dossier_id)
            assert d.procedure_code == code, typed
            proc = catalog.procedures[code]
            assert d.due_date == due_date(d.received_at, proc.processing_days)
            assert d.quote_input == {"pages": 4, "copies": 3}
        page = clerk.get(where).text
        assert "Đã tiếp nhận hồ sơ" in page
        assert f"{d.due_date:%d/%m/%Y}" in page
        assert proc.name_vi in html.unescape(page)


def test_intake_errors_are_next_to_their_fields(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/intake").text
    base = {
        "csrf": hidden(page, "csrf"),
        "procedure": "CT-BS",
        "channel": "counter",
        "applicant_name": NAME,
        "applicant_address": ADDRESS,
        "pages": "2",
        "copies": "1",
    }
    cases = [
        ({"procedure": "khong co thu tuc nay"}, "procedure", "Không tìm thấy thủ tục nào khớp"),
        ({"procedure": "khai sinh"}, "procedure", "hãy gõ cụ thể hơn"),
        ({"applicant_name": " "}, "applicant_name", "Họ tên người nộp không được để trống"),
        ({"applicant_address": ""}, "applicant_address", "Địa chỉ không được để trống"),
        ({"pages": ""}, "pages", "tính phí theo trang: hãy nhập số trang"),
        ({"copies": "hai"}, "copies", "Số bản phải là số nguyên dương"),
        ({"channel": "fax"}, "channel", "Hãy chọn cách nộp hồ sơ"),
    ]
    for fields, name, message in cases:
        r = clerk.post("/staff/intake", data={**base, **fields})
        assert r.status_code == 422
        assert message in _error(r.text, name), (fields, _error(r.text, name))
        for kept in ("applicant_name", "applicant_address", "procedure"):
            assert hidden(r.text, kept) == {**base, **fields}[kept]
        assert "(pages)" not in r.text


def test_slips_timeline_more_papers_and_fee(staff: Staff) -> None:
    clerk = staff.login("clerk")
    where = _receive(staff, clerk, procedure="xac nhan tinh trang hon nhan", pages="")
    dossier_id = int(where.split("/")[-1].split("?")[0])
    with staff.api.service.db.reading() as s:
        d = get_dossier(s, dossier_id)
        code, due = d.code, d.due_date
    slips = clerk.get(f"/staff/dossiers/{dossier_id}/slips")
    assert slips.status_code == 200
    text = html.unescape(slips.text)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and "PHIẾU HẸN TRẢ KẾT QUẢ" in text
    assert text.count(code) >= 2 and f"ngày {due:%d/%m/%Y}" in text
    assert NAME in text and "Lê Thị Thu" in text  # the applicant and the clerk who received
    page = clerk.get(f"/staff/dossiers/{dossier_id}").text
    # Asking for more papers: an empty reason is refused next to its field.
    r = clerk.post(
        f"/staff/dossiers/{dossier_id}/more-papers",
        data={"csrf": hidden(page, "csrf"), "missing": "  "},
    )
    assert r.status_code == 422
    assert _error(r.text, "missing") == "Giấy tờ cần bổ sung không được để trống"
    missing = "Bản sao giấy khai sinh có chứng thực"
    r = clerk.post(
        f"/staff/dossiers/{dossier_id}/more-papers",
        data={"csrf": hidden(page, "csrf"), "missing": missing},
    )
    assert r.status_code == 303
    r = clerk.post(
        f"/staff/dossiers/{dossier_id}/fee",
        data={
            "csrf": hidden(page, "csrf"),
            "payer_name": NAME,
            "payer_address": ADDRESS,
            "payment_method": "bank_transfer",
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/?issued=")
    with staff.api.service.db.reading() as s:
        d = get_dossier(s, dossier_id)
        assert d.status is DossierStatus.FEE_PAID
        steps = [step.name for step in timeline(s, d)]
    assert steps[0] == "Tiếp nhận hồ sơ"
    assert "Yêu cầu bổ sung giấy tờ" in steps and "Xuất biên lai thu phí" in steps
    assert steps.index("Yêu cầu bổ sung giấy tờ") < steps.index("Đã thu phí, lệ phí")
    page = html.unescape(clerk.get(f"/staff/dossiers/{dossier_id}").text)
    assert missing in page and "Đã thu phí" in page
    # A second fee for the same dossier is refused on the page.
    again = clerk.post(
        f"/staff/dossiers/{dossier_id}/fee",
        data={
            "csrf": hidden(page, "csrf"),
            "payer_name": NAME,
            "payer_address": ADDRESS,
            "payment_method": "cash",
        },
    )
    assert again.status_code == 422 and "đã thu phí rồi" in html.unescape(again.text)


def test_result_drafted_from_the_dossier_preview_then_create(staff: Staff, officials: str) -> None:
    clerk = staff.login("clerk")
    where = _receive(staff, clerk, pages="4", copies="3")
    dossier_id = int(where.split("/")[-1].split("?")[0])
    form = clerk.get(f"/staff/dossiers/{dossier_id}/result").text
    # Filled from the dossier: who filed it, the pages and the copies charged.
    assert hidden(form, "requester") == NAME
    assert hidden(form, "copy_pages") == "4" and hidden(form, "copies") == "3"
    fields = {
        "csrf": hidden(form, "csrf"),
        "requester": NAME,
        "document_name": "",
        "copy_pages": "4",
        "copies": "3",
    }
    r = clerk.post(f"/staff/dossiers/{dossier_id}/result", data={**fields, "action": "preview"})
    assert r.status_code == 422
    assert _error(r.text, "document_name") == "Hãy nhập tên giấy tờ, văn bản"
    assert hidden(r.text, "copy_pages") == "4"
    fields["document_name"] = "Bằng tốt nghiệp trung học phổ thông"
    r = clerk.post(f"/staff/dossiers/{dossier_id}/result", data={**fields, "action": "preview"})
    assert r.status_code == 200, re.findall(r'role="alert"[^>]*>([^<]*)<', html.unescape(r.text))
    assert 'id="preview" src="data:image/png;base64,' in r.text
    with staff.api.service.db.reading() as s:
        assert get_dossier(s, dossier_id).status is DossierStatus.RECEIVED  # nothing stored
    r = clerk.post(f"/staff/dossiers/{dossier_id}/result", data={**fields, "action": "create"})
    assert r.status_code == 303, html.unescape(r.text)[:2000]
    with staff.api.service.db.reading() as s:
        d = get_dossier(s, dossier_id)
        assert d.status is DossierStatus.PROCESSING
    page = html.unescape(clerk.get(f"/staff/dossiers/{dossier_id}").text)
    assert "Văn bản kết quả số" in page and "chờ ký" in page
    assert "Lập văn bản kết quả" in page


def test_today_is_vietnam_time() -> None:
    assert dt.datetime.now(VIETNAM_TZ).utcoffset() == dt.timedelta(hours=7)


def test_a_dossier_received_online_is_due_from_when_the_portal_received_it(staff: Staff) -> None:
    clerk = staff.login("clerk")
    now = dt.datetime.now(VIETNAM_TZ).replace(second=0, microsecond=0)
    catalog = staff.api.service.catalog
    for days_ago in (1, 4, 9):
        when = now - dt.timedelta(days=days_ago)
        where = _receive(
            staff, clerk, procedure="HT-XNTTHN", pages="", channel="online",
            received_at=when.strftime("%Y-%m-%dT%H:%M"),
        )  # fmt: skip
        dossier_id = int(where.split("/")[-1].split("?")[0])
        with staff.api.service.db.reading() as s:
            d = get_dossier(s, dossier_id)
            assert d.channel == "online"
            assert d.received_at == when.astimezone(dt.UTC)
            days = catalog.procedures["HT-XNTTHN"].processing_days
            assert d.due_date == due_date(when, days)
    page = clerk.get("/staff/intake").text
    base = {
        "csrf": hidden(page, "csrf"),
        "procedure": "HT-XNTTHN",
        "applicant_name": NAME,
        "applicant_address": ADDRESS,
        "copies": "1",
    }
    cases = [
        ("online", (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "ở tương lai"),
        ("online", (now - dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"), "30 ngày"),
        ("online", "hôm qua", "Thời điểm không hợp lệ"),
        ("counter", now.strftime("%Y-%m-%dT%H:%M"), "Chỉ ghi thời điểm nhận với hồ sơ nộp"),
    ]
    for channel, typed, message in cases:
        r = clerk.post("/staff/intake", data={**base, "channel": channel, "received_at": typed})
        assert r.status_code == 422
        assert message in _error(r.text, "received_at"), (typed, _error(r.text, "received_at"))
        assert hidden(r.text, "applicant_name") == NAME


def test_the_dossiers_fee_with_two_active_series(staff: Staff) -> None:
    from esign.db.models import Receipt
    from esign.workflows.actors import SYSTEM
    from esign.workflows.series import create_series
    from tests.utils import scheme_now

    with staff.api.service.db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26P")
    clerk = staff.login("clerk")
    where = _receive(staff, clerk, pages="2", copies="1")
    dossier_id = int(where.split("/")[-1].split("?")[0])
    page = clerk.get(f"/staff/dossiers/{dossier_id}").text
    assert '<select name="series"' not in page  # today the law sets the series
    fee = {
        "csrf": hidden(page, "csrf"),
        "payer_name": NAME,
        "payer_address": ADDRESS,
        "payment_method": "cash",
    }
    r = clerk.post(f"/staff/dossiers/{dossier_id}/fee", data=fee)
    assert r.status_code == 303
    with staff.api.service.db.reading() as s:
        receipt = s.query(Receipt).filter(Receipt.dossier_id == dossier_id).one()
        expected = quote(
            "CT-BS", on=dt.datetime.now(VIETNAM_TZ).date(), pages=2, copies=1,
            catalog=staff.api.service.catalog,
        )  # fmt: skip
        assert (receipt.series, receipt.number, receipt.total) == (
            scheme_now.SERIES, 1, expected.total,
        )  # fmt: skip
