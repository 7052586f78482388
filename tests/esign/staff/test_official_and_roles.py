"""The official's signing desk, and what each role may open."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from esign.db.models import ResultDocument, ResultSignature, User
from esign.workflows.actors import Actor
from esign.workflows.dossiers import receive_dossier
from esign.workflows.results import create_result
from receipts.catalog import Channel

from .conftest import Staff, hidden

PEOPLE = ["Bùi Thị Trang", "Phạm Văn Hải"]


def _marital(name: str) -> dict[str, object]:
    return {
        "requester": name,
        "person": {
            "full_name": name,
            "date_of_birth": "1995-03-14",
            "gender": "Nữ",
            "personal_id": "030195001234",
            "residence": "Khu dân cư Văn An 1, phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
        },
        "marital_status": "Chưa đăng ký kết hôn với ai",
        "purpose": "Làm thủ tục đăng ký kết hôn",
    }


def _queue_two(staff: Staff) -> list[tuple[int, str]]:
    """Two marital-status confirmations waiting for the judicial officer: (id, number)."""
    service = staff.api.service
    out = []
    with service.db.transaction() as s:
        clerk = s.get(User, staff.api.users["clerk"])
        assert clerk is not None
        actor = Actor.of(clerk)
        for name in PEOPLE:
            dossier = receive_dossier(
                s,
                actor,
                procedure_code="HT-XNTTHN",
                applicant_name=name,
                applicant_address="Văn An 1",
                channel=Channel.COUNTER,
                catalog=service.catalog,
            )
            result = create_result(s, actor, service, dossier_id=dossier.id, data=_marital(name))
            out.append((result.id, result.number))
    return out


def _signed_by(staff: Staff, role: str) -> set[int]:
    with staff.api.service.db.reading() as s:
        return set(
            s.scalars(
                select(ResultSignature.result_id).where(
                    ResultSignature.role == role, ResultSignature.signed_at.is_not(None)
                )
            )
        )


def _finished(client: TestClient, posted: Any) -> Any:
    """Follow a signing post (303, no re-post on reload) to its job page until it is done."""
    assert posted.status_code == 303, posted.text
    job_url = posted.headers["location"]
    assert job_url.startswith("/staff/sign/jobs/")
    deadline = time.monotonic() + 60
    while True:
        page = client.get(job_url)
        assert page.status_code == 200
        if "refresh" not in page.headers:
            return page
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.2)


def test_official_signs_two_documents_with_one_password(staff: Staff, officials: str) -> None:
    docs = _queue_two(staff)
    officer = staff.login("tuphap")
    page = officer.get("/staff/")
    text = html.unescape(page.text)
    assert "Văn bản chờ ký" in text and "Giấy xác nhận tình trạng hôn nhân" in text
    for result_id, number in docs:
        assert number in text and f'name="result_id" value="{result_id}"' in text
    assert "2 văn bản đang chờ" in text
    # The chairman's turn has not come.
    assert "Không có văn bản nào đang chờ" in html.unescape(
        staff.login("chutich").get("/staff/").text
    )

    ids = [str(i) for i, _ in docs]
    token = hidden(page.text, "csrf")
    wrong = officer.post(
        "/staff/sign", data={"csrf": token, "result_id": ids, "secret": "sai-mat-khau"}
    )
    assert wrong.status_code == 422
    assert "mật khẩu" in html.unescape(wrong.text)
    assert 'id="secret-error"' in wrong.text  # next to the password field
    for i in ids:  # the choice is kept, the password is not
        assert f'value="{i}" id="pick-{i}" checked' in wrong.text
    assert "sai-mat-khau" not in wrong.text
    assert _signed_by(staff, "judicial_officer") == set()

    none = officer.post("/staff/sign", data={"csrf": token, "secret": officials})
    assert none.status_code == 422 and "Hãy chọn ít nhất một văn bản" in html.unescape(none.text)

    done = _finished(
        officer,
        officer.post("/staff/sign", data={"csrf": token, "result_id": ids, "secret": officials}),
    )
    text = html.unescape(done.text)
    for _, number in docs:
        assert f"<strong>{number}</strong>:\n      đã ký" in text
    assert "không ký được" not in text and "2/2" in text
    assert officials not in done.text
    assert "Không có văn bản nào đang chờ chữ ký của bạn" in html.unescape(
        officer.get("/staff/").text
    )
    assert _signed_by(staff, "judicial_officer") == {i for i, _ in docs}
    # Now the chairman's: one of them signed, the other refused (already signed by them).
    chairman = staff.login("chutich")
    desk = chairman.get("/staff/").text
    first = str(docs[0][0])
    r = _finished(
        chairman,
        chairman.post(
            "/staff/sign",
            data={"csrf": hidden(desk, "csrf"), "result_id": first, "secret": officials},
        ),
    )
    assert "văn bản đã đủ chữ ký" in html.unescape(r.text)
    r = _finished(
        chairman,
        chairman.post(
            "/staff/sign",
            data={"csrf": hidden(desk, "csrf"), "result_id": first, "secret": officials},
        ),
    )
    assert f"<strong>{docs[0][1]}</strong>:\n      không ký được — Bạn đã ký" in html.unescape(
        r.text
    )
    # Another official cannot read this job's page.
    assert officer.get(r.url.path).status_code == 404
    with staff.api.service.db.reading() as s:
        assert s.get(ResultDocument, docs[0][0]).status.value == "signed"  # type: ignore[union-attr]


def test_each_role_opens_only_its_own_forms(staff: Staff) -> None:
    official, clerk, admin = staff.login("tuphap"), staff.login("clerk"), staff.login("admin")
    official_page = official.get("/staff/").text
    assert "Văn bản chờ ký" in official_page and 'action="/staff/receipts"' not in official_page
    issue = {
        "csrf": hidden(official_page, "csrf"),
        "action": "issue",
        "form_key": "k-roles",
        "procedure": "HT-XNTTHN",
        "payer_name": "Bùi Thị Trang",
        "payer_address": "Văn An 1",
        "payment_method": "cash",
    }
    r = official.post("/staff/receipts", data=issue)
    assert r.status_code == 403 and "cán bộ thu phí" in html.unescape(r.text)
    r = official.post("/staff/receipts/1/cancel", data={"csrf": issue["csrf"], "reason": "x"})
    assert r.status_code == 403
    assert staff.receipts() == 0

    clerk_page = clerk.get("/staff/").text
    r = clerk.post(
        "/staff/sign",
        data={"csrf": hidden(clerk_page, "csrf"), "result_id": "1", "secret": "x"},
    )
    assert r.status_code == 403 and "người ký" in html.unescape(r.text)
    r = admin.post(
        "/staff/receipts", data={**issue, "csrf": hidden(admin.get("/staff/").text, "csrf")}
    )
    assert r.status_code == 403

    admin_page = html.unescape(admin.get("/staff/").text)
    assert "Quản trị hệ thống" in admin_page and 'href="/docs"' in admin_page
    assert "VA-26E" in admin_page and "Người dùng: <strong>4</strong>" in admin_page


def test_pages_are_self_contained_and_out_of_the_api_schema(staff: Staff) -> None:
    clerk = staff.login("clerk")
    page = clerk.get("/staff/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-store"
    assert "style=" not in page.text
    # One script, ours, from a file (keyboard shortcuts): no inline script, no other host.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert [body for _, body in scripts] == [""]
    assert 'src="/staff/static/staff.js?v=' in scripts[0][0]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    css_href = page.text.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert css_href.startswith("/staff/static/staff.css?v=")
    css = clerk.get(css_href)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "--red" in css.text and "http" not in css.text
    paths = staff.api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    assert not [p for p in paths if p.startswith("/staff")]
