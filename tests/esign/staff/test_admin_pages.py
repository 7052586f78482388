"""The administration desk over the same workflows as the API: users (create, deactivate with
the open session ended, reset password), certificates (bind, revoke, expiry warnings), series,
the catalog with its "chưa xác minh" marks, the audit log with filters and one trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from certs import BuiltPki
from esign.db.models import AuditEntry, User
from esign.staff.admin_certs import _views
from esign.units import unit_unverified
from esign.workflows.actors import SYSTEM
from esign.workflows.certificates import list_certificates
from receipts.unverified import unverified_law
from tests.esign.api.conftest import PASSWORD
from tests.esign.api.test_certificates_api import PASSWORD as PASSWORD_P12
from tests.esign.api.test_certificates_api import _outside_official, _trust_other_root

from .conftest import Staff, hidden


def _user(staff: Staff, username: str) -> User:
    with staff.api.service.db.reading() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        s.expunge(user)
        return user


def test_users_create_deactivate_reset(staff: Staff) -> None:
    admin = staff.login("admin")
    page = admin.get("/staff/admin/users")
    assert page.status_code == 200
    token = hidden(page.text, "csrf")
    bad = admin.post(
        "/staff/admin/users",
        data={"csrf": token, "username": "", "full_name": "Đỗ Thị Hoa", "role": "official",
              "official_role": "", "title": "", "password": "ngắn"},
    )  # fmt: skip
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert re.search(r'id="err-username">Hãy nhập tên đăng nhập<', text)
    assert re.search(r'id="err-official_role">Người ký cần chức danh ký<', text)
    assert 'value="Đỗ Thị Hoa"' in text and "ngắn" not in text  # kept; the password is not
    short = admin.post(
        "/staff/admin/users",
        data={"csrf": token, "username": "hoa.do", "full_name": "Đỗ Thị Hoa", "role": "clerk",
              "official_role": "", "title": "", "password": "ngắn"},
    )  # fmt: skip
    assert re.search(
        r'id="err-password">Mật khẩu phải có ít nhất 10 ký tự<', html.unescape(short.text)
    )
    ok = admin.post(
        "/staff/admin/users",
        data={"csrf": token, "username": "hoa.do", "full_name": "Đỗ Thị Hoa", "role": "clerk",
              "official_role": "", "title": "", "password": "mat-khau-rat-dai-1"},
    )  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/admin/users?done=created"
    assert _user(staff, "hoa.do").full_name == "Đỗ Thị Hoa"
    dup = admin.post(
        "/staff/admin/users",
        data={"csrf": token, "username": "hoa.do", "full_name": "Khác", "role": "clerk",
              "official_role": "", "title": "", "password": "mat-khau-rat-dai-1"},
    )  # fmt: skip
    assert dup.status_code == 422 and "đã có" in html.unescape(dup.text)

    # Deactivating the clerk ends the session the clerk has open.
    clerk = staff.login("clerk")
    assert clerk.get("/staff/").status_code == 200
    clerk_id = staff.api.users["clerk"]
    r = admin.post(f"/staff/admin/users/{clerk_id}/active", data={"csrf": token, "active": "0"})
    assert r.status_code == 303
    gone = clerk.get("/staff/")
    assert gone.status_code == 303 and gone.headers["location"] == "/staff/login"
    assert not _user(staff, "clerk").active
    listing = html.unescape(admin.get("/staff/admin/users?done=deactivated").text)
    assert "Đã khóa tài khoản" in listing
    # The administrator cannot lock themself out.
    me = admin.post(
        f"/staff/admin/users/{staff.api.users['admin']}/active", data={"csrf": token, "active": "0"}
    )
    assert me.status_code == 409

    # Reset: errors next to that user's field; then the new password works, the old does not.
    tuphap = staff.api.users["tuphap"]
    r = admin.post(f"/staff/admin/users/{tuphap}/password", data={"csrf": token, "password": "x"})
    assert r.status_code == 422
    assert re.search(rf'id="reset-error-{tuphap}">Mật khẩu phải có', html.unescape(r.text))
    r = admin.post(
        f"/staff/admin/users/{tuphap}/password",
        data={"csrf": token, "password": "mat-khau-moi-12345"},
    )
    assert r.status_code == 303
    staff.login("tuphap", "mat-khau-moi-12345")
    with staff.api.service.db.reading() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert "user.deactivate" in actions and "password.reset" in actions
    assert PASSWORD  # the fixture's password is no longer tuphap's


def test_certificates_bind_revoke_and_expiry_warning(staff: Staff) -> None:
    admin = staff.login("admin")
    page = admin.get("/staff/admin/certificates")
    assert page.status_code == 200
    token = hidden(page.text, "csrf")
    infos = list_certificates(SYSTEM, staff.api.service.pki)
    officer = next(i for i in infos if i.role.value == "judicial_officer")
    assert f'id="cert-{officer.name}"' in page.text
    missing = admin.post(
        "/staff/admin/certificates/bind", data={"csrf": token, "user_id": "", "name": officer.name}
    )
    assert missing.status_code == 422
    text = html.unescape(missing.text)
    assert 'id="err-bind_user_id">Hãy chọn người ký<' in text
    assert f'<option value="{officer.name}" selected>' in text  # the choice is kept
    user_id = staff.api.users["tuphap"]
    r = admin.post(
        "/staff/admin/certificates/bind",
        data={"csrf": token, "user_id": str(user_id), "name": officer.name},
    )
    assert r.status_code == 303, r.text
    assert _user(staff, "tuphap").certificate_sha256 == officer.sha256
    listed = html.unescape(admin.get("/staff/admin/certificates").text)
    row = listed.split(f'id="cert-{officer.name}"', 1)[1].split("</tr>", 1)[0]
    assert _user(staff, "tuphap").full_name in row

    # Expiry: a certificate ending in 10 days warns, one past its end is expired.
    now = officer.not_after - dt.timedelta(days=10, hours=1)
    assert _views([officer], [], now)[0].state == "expiring"
    assert _views([officer], [], now)[0].days_left == 10
    assert _views([officer], [], officer.not_after + dt.timedelta(seconds=1))[0].state == "expired"

    no_reason = admin.post(
        f"/staff/admin/certificates/{officer.name}/revoke", data={"csrf": token, "reason": ""}
    )
    assert no_reason.status_code == 422 and "Hãy chọn lý do thu hồi" in html.unescape(
        no_reason.text
    )
    r = admin.post(
        f"/staff/admin/certificates/{officer.name}/revoke",
        data={"csrf": token, "reason": "key_compromise"},
    )
    assert r.status_code == 303
    after = html.unescape(admin.get("/staff/admin/certificates").text)
    row = after.split(f'id="cert-{officer.name}"', 1)[1].split("</tr>", 1)[0]
    assert "Đã thu hồi" in row


def test_catalog_series_audit_and_who_may_open(staff: Staff) -> None:
    admin = staff.login("admin")
    catalog = html.unescape(admin.get("/staff/admin/catalog").text)
    # The law's marks and today's unit's (its tax code is unverified: LAW.md).
    unit = unit_unverified(staff.api.service.settings)
    marks = (*unverified_law(staff.api.service.catalog), *unit)
    assert len(unit) == 1 and f"Các mục chưa xác minh ({len(marks)})" in catalog
    assert unit[0].where in catalog
    for code in staff.api.service.catalog.procedures:
        assert f'id="proc-{code}"' in catalog
    assert "Thông tư" in catalog  # legal bases are shown

    token = hidden(admin.get("/staff/admin/series").text, "csrf")
    bad = admin.post(
        "/staff/admin/series", data={"csrf": token, "template_symbol": "01BLP0-001", "series": ""}
    )
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert 'id="err-series">Hãy nhập ký hiệu<' in text and 'value="01BLP0-001"' in text
    ok = admin.post(
        "/staff/admin/series",
        data={"csrf": token, "template_symbol": "01BLP0-001", "series": "VA-27E"},
    )
    assert ok.status_code == 303
    assert "VA-27E" in admin.get("/staff/admin/series").text

    audit = html.unescape(admin.get("/staff/admin/audit?action=series.").text)
    assert "series.create" in audit and "user.create" not in audit
    with staff.api.service.db.reading() as s:
        subject = s.scalar(
            select(AuditEntry.subject)
            .where(AuditEntry.action == "series.create")
            .order_by(AuditEntry.seq.desc())
        )
    assert subject is not None
    trail = html.unescape(admin.get(f"/staff/admin/audit?subject={subject}").text)
    assert f"Lịch sử của {subject}" in trail
    rows = re.findall(r"<td><a href=\"/staff/admin/audit\?subject=([^\"]+)\">", trail)
    assert rows and set(rows) == {subject.replace(":", "%3A")}
    bad_day = admin.get("/staff/admin/audit?date_from=2026-02-30&actor=clerk")
    assert bad_day.status_code == 422
    text = html.unescape(bad_day.text)
    assert 'id="err-date_from">Ngày không hợp lệ' in text and 'value="clerk"' in text

    for who in ("clerk", "tuphap"):
        client = staff.login(who)
        for path in ("users", "certificates", "series", "catalog", "audit"):
            assert client.get(f"/staff/admin/{path}").status_code == 403, (who, path)


def test_certificate_import_from_the_form(staff: Staff, test_pki: BuiltPki) -> None:
    _trust_other_root(staff.api, test_pki)
    p12, cert = _outside_official(test_pki, "Nguyễn Thị Lan")
    admin = staff.login("admin")
    token = hidden(admin.get("/staff/admin/certificates").text, "csrf")
    user_id = str(staff.api.users["tuphap"])
    form = {"csrf": token, "role": "judicial_officer", "user_id": user_id}
    empty = admin.post("/staff/admin/certificates/import", data=form)
    assert empty.status_code == 422
    text = html.unescape(empty.text)
    assert 'id="err-import_file">Hãy chọn tệp chứng thư' in text
    assert '<option value="judicial_officer" selected>' in text  # the choice is kept
    wrong = admin.post(
        "/staff/admin/certificates/import",
        data={**form, "password": "sai"},
        files={"file": ("lan.p12", p12, "application/x-pkcs12")},
    )
    assert wrong.status_code == 422 and 'id="err-import_file">' in wrong.text
    ok = admin.post(
        "/staff/admin/certificates/import",
        data={**form, "password": PASSWORD_P12},
        files={"file": ("lan.p12", p12, "application/x-pkcs12")},
    )
    assert ok.status_code == 303, html.unescape(ok.text)
    sha = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    assert _user(staff, "tuphap").certificate_sha256 == sha  # imported and bound at once
    page = html.unescape(admin.get("/staff/admin/certificates?done=imported").text)
    assert "Đã nhập chứng thư số." in page and sha[:16] in page
