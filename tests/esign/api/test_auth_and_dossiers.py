from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from esign import audit
from esign.db.models import AuditEntry

from .conftest import PASSWORD, Api


def test_login_sets_a_session_and_is_audited(api: Api) -> None:
    clerk = api.login("clerk")
    me = clerk.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "clerk"
    bad = api.client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": "wrong-password"}
    )
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "unauthenticated"
    assert "mật khẩu" in bad.json()["error"]["message_vi"]
    with api.service.db.reading() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert actions[-2:] == ["login", "login.failed"]
        assert audit.verify(s).ok


def test_no_credentials_is_401(api: Api) -> None:
    r = api.client.get("/api/v1/dossiers")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = api.client.get("/api/v1/dossiers", headers={"Authorization": "Bearer esk_nope"})
    assert r.status_code == 401


def test_api_token_scopes_and_expiry(api: Api) -> None:
    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/tokens", json={"name": "cổng dịch vụ công", "scopes": ["dossiers"], "days": 30}
    )
    assert r.status_code == 201, r.text
    secret = r.json()["token"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/dossiers", headers=headers).status_code == 200
    # The token has no "fees" scope.
    r = api.client.post("/api/v1/quotes", json={"procedure_code": "CT-CK"}, headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # Only its hash is stored, and a token cannot mint tokens.
    r = api.client.post("/api/v1/tokens", json={"name": "x", "scopes": ["fees"]}, headers=headers)
    assert r.status_code == 422
    assert clerk.get("/api/v1/tokens").json()["data"][0]["token"] is None


def test_expired_token_is_refused(api: Api) -> None:
    from esign.db.models import ApiToken

    clerk = api.login("clerk")
    secret = clerk.post("/api/v1/tokens", json={"name": "x", "scopes": ["dossiers"]}).json()[
        "token"
    ]
    with api.service.db.transaction() as s:
        for t in s.scalars(select(ApiToken)):
            t.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    r = api.client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401


def test_quote_endpoint(api: Api) -> None:
    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/quotes",
        json={"procedure_code": "CT-BS", "pages": 3, "copies": 2, "on": "2026-11-27"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 10_000
    r = clerk.post("/api/v1/quotes", json={"procedure_code": "CT-BX", "pages": 3})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_procedure"
    assert "CT-BS" in r.json()["error"]["message_vi"]
    r = clerk.post("/api/v1/quotes", json={"procedure_code": "CT-BS", "pages": 0})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_dossier_lifecycle_and_due_date(api: Api) -> None:
    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": "HT-XNTTHN",
            "applicant_name": "Bùi Thị Trang",
            "applicant_address": "Khu dân cư Văn An 1, phường Văn An",
            "channel": "online",
        },
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "received" and d["code"].startswith("HS-")
    received = dt.datetime.fromisoformat(d["received_at"])
    assert dt.date.fromisoformat(d["due_date"]) > received.date()
    q = clerk.get(f"/api/v1/dossiers/{d['id']}/quote").json()
    assert q["total"] == 7_500  # online: 50% of 15.000 đ
    # Returning before the fee is paid and the result signed is refused.
    r = clerk.post(f"/api/v1/dossiers/{d['id']}/return")
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_dossier_bad_input(api: Api) -> None:
    clerk = api.login("clerk")
    base = {
        "procedure_code": "HT-XNTTHN",
        "applicant_name": "Bùi Thị Trang",
        "applicant_address": "Văn An",
    }
    r = clerk.post("/api/v1/dossiers", json={**base, "applicant_name": "Bùi\x07 Trang"})
    assert r.status_code == 422 and "ký tự điều khiển" in r.json()["error"]["message_vi"]
    r = clerk.post("/api/v1/dossiers", json={**base, "applicant_address": "x" * 5000})
    assert r.status_code == 422
    r = clerk.post("/api/v1/dossiers", json={**base, "procedure_code": "HT-XNTTHX"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_procedure"
    assert clerk.get("/api/v1/dossiers").json()["count"] == 0


def test_user_management_is_for_admins(api: Api) -> None:
    body = {
        "username": "ketoan2",
        "full_name": "Phạm Văn Nam",
        "role": "clerk",
        "password": PASSWORD,
    }
    assert api.login("clerk").post("/api/v1/users", json=body).status_code == 403
    assert api.login("chutich").post("/api/v1/users", json=body).status_code == 403
    admin = api.login("admin")
    r = admin.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "argon2" not in r.text
    assert admin.post("/api/v1/users", json=body).status_code == 409
    assert admin.get("/api/v1/users").json()["count"] == 5
