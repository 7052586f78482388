"""Logging in and out through the form, and the CSRF token every POST form needs."""

from __future__ import annotations

from sqlalchemy import select

from esign.db.models import AuditEntry

from .conftest import Staff, hidden

ISSUE = {
    "action": "issue",
    "procedure": "HT-XNTTHN",
    "copies": "1",
    "payer_name": "Bùi Thị Trang",
    "payer_address": "Khu dân cư Văn An 1",
    "payment_method": "cash",
    "form_key": "form-key-csrf-test",
}


def test_login_sets_the_api_session_cookie_and_logout_ends_it(staff: Staff) -> None:
    client = staff.client()
    assert client.get("/staff/").headers["location"] == "/staff/login"

    form = client.get("/staff/login")
    assert "Đăng nhập trang làm việc" in form.text
    bad = client.post(
        "/staff/login",
        data={"csrf": hidden(form.text, "csrf"), "username": "clerk", "password": "sai-mat-khau"},
    )
    assert bad.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in bad.text
    assert hidden(bad.text, "username") == "clerk"  # kept; the password is not
    assert "sai-mat-khau" not in bad.text
    with staff.api.service.db.reading() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
    assert "login.failed" in actions

    good = client.post(
        "/staff/login",
        data={
            "csrf": hidden(form.text, "csrf"),
            "username": "clerk",
            "password": "mat-khau-thu-nghiem",
        },
    )
    assert good.status_code == 303 and good.headers["location"] == "/staff/"
    cookie = next(c for c in good.headers.get_list("set-cookie") if c.startswith("esign_session="))
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Thu phí tại bộ phận một cửa" in page.text and "Lê Thị Thu" in page.text
    # The same cookie serves the API.
    assert client.get("/api/v1/auth/me").json()["username"] == "clerk"

    out = client.post("/staff/logout", data={"csrf": hidden(page.text, "csrf")})
    assert out.status_code == 303 and out.headers["location"] == "/staff/login"
    assert client.get("/staff/").headers["location"] == "/staff/login"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_form_needs_its_own_token(staff: Staff) -> None:
    client = staff.client()
    r = client.post("/staff/login", data={"username": "clerk", "password": "mat-khau-thu-nghiem"})
    assert r.status_code == 403
    assert "esign_session" not in r.headers.get("set-cookie", "")


def test_posts_without_the_session_token_are_refused(staff: Staff) -> None:
    clerk = staff.login("clerk")
    admin_page = staff.login("admin").get("/staff/").text
    token = hidden(clerk.get("/staff/").text, "csrf")
    for data, headers in [
        (ISSUE, {}),  # no token
        ({**ISSUE, "csrf": "x" * 43}, {}),  # a wrong one
        ({**ISSUE, "csrf": hidden(admin_page, "csrf")}, {}),  # another session's
        ({**ISSUE, "csrf": token}, {"Sec-Fetch-Site": "cross-site"}),  # the right one, elsewhere
    ]:
        r = clerk.post("/staff/receipts", data=data, headers=headers)
        assert r.status_code == 403, r.text
        assert "Không thực hiện được" in r.text
    assert staff.receipts() == 0

    # Logout is a form too: refused without the token, the session still alive.
    assert clerk.post("/staff/logout", data={}).status_code == 403
    assert clerk.get("/staff/").status_code == 200

    ok = clerk.post("/staff/receipts", data={**ISSUE, "csrf": token})
    assert ok.status_code == 303, ok.text
    assert staff.receipts() == 1


def test_not_logged_in_posts_go_to_the_login_form(staff: Staff) -> None:
    client = staff.client()
    r = client.post("/staff/receipts", data=ISSUE)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    client.cookies.set("esign_session", "not-a-session")
    assert client.get("/staff/").headers["location"] == "/staff/login"
    assert staff.receipts() == 0


def test_an_oversized_form_is_refused_before_parsing(staff: Staff) -> None:
    clerk = staff.login("clerk")
    token = hidden(clerk.get("/staff/").text, "csrf")
    r = clerk.post("/staff/receipts", data={**ISSUE, "csrf": token, "payer_name": "A" * 70_000})
    assert r.status_code == 413
    assert staff.receipts() == 0
