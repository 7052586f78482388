"""Credentials that can be taken back, throttled guessing, CSRF on cookie changes, the client
address behind proxies (issue 12: "Credentials", "Misuse by a legitimate user")."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

import pytest
from fastapi.testclient import TestClient

from esign.db.types import utcnow
from esign.http.client import client_address
from esign.security import password_problem
from esign.workflows import throttle

from .conftest import PASSWORD, Api


def _login(api: Api, username: str, password: str, **headers: str) -> int:
    client = TestClient(api.client.app)
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/login", json=body, headers=headers).status_code


@pytest.mark.parametrize(
    "password",
    ["          ", "aaaaaaaaaa", "clerk-clerk-1", "matkhau2026!", "Password123", "xyxyxyxyxy"],
)
def test_weak_passwords_are_refused(api: Api, password: str) -> None:
    admin = api.login("admin")
    body = {"username": "newclerk", "full_name": "A", "role": "clerk", "password": password}
    if password == "clerk-clerk-1":
        body["username"] = "clerk-clerk"
    r = admin.post("/api/v1/users", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "weak_password", r.text
    assert password_problem("bến đò sông Thương 7", username="newclerk") is None


def test_many_wrong_passwords_then_the_right_one_is_refused(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = api.login("admin")
    for name in ("clerk", "tuphap"):
        codes = [_login(api, name, f"sai-{i}") for i in range(throttle.FREE + 2)]
        assert codes == [401] * throttle.FREE + [401, 429], codes
        assert _login(api, name, PASSWORD) == 429, name  # the right one, too early
        # The address is blocked too: lift it for the next name.
        assert admin.delete("/api/v1/lockouts/addr:testclient").status_code == 204


def test_lockout_until_an_administrator_lifts_it(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each attempt an hour after the last (every delay over): the account still locks."""
    offset = [dt.timedelta(0)]
    monkeypatch.setattr(throttle, "utcnow", lambda: utcnow() + offset[0])
    proxied = TestClient(api.client.app, client=("10.0.0.2", 5000))
    api.service.settings.trusted_proxies = [ipaddress.ip_network("10.0.0.0/24")]
    for name in ("clerk", "chutich"):
        for i in range(throttle.LOCKOUT):
            offset[0] += dt.timedelta(hours=1)
            r = proxied.post(
                "/api/v1/auth/login",
                json={"username": name, "password": f"sai-{i}"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            )
            assert r.status_code == 401, (i, r.text)
        offset[0] += dt.timedelta(days=30)
        right = proxied.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        assert right.status_code == 429 and right.json()["error"]["code"] == "locked"
    admin = api.login("admin")
    locked = {x["key"] for x in admin.get("/api/v1/lockouts").json()["data"]}
    assert {"user:clerk", "user:chutich"} <= locked
    assert admin.delete("/api/v1/lockouts/user:clerk").status_code == 204
    assert _login(api, "clerk", PASSWORD) == 200
    assert _login(api, "chutich", PASSWORD) == 429
    audit = [e["action"] for e in _audit(api)]
    assert "throttle.lockout" in audit and "throttle.unlock" in audit


def test_one_address_spraying_many_names_is_delayed(api: Api) -> None:
    # FREE + 1 failures over as many names: the address waits 2 s (and each refusal is held
    # 1 s by the tarpit, so the check comes right after the last failure).
    codes = [_login(api, f"ghost{i}", "sai-mat-khau") for i in range(throttle.FREE + 1)]
    assert codes == [401] * (throttle.FREE + 1)
    assert _login(api, "clerk", PASSWORD) == 429  # the address waits, whoever it names
    assert _login(api, "ghost99", "sai-mat-khau") == 429


def _audit(api: Api) -> list[dict[str, object]]:
    from esign.db.models import AuditEntry

    with api.service.db.reading() as s:
        return [{"action": e.action, "actor": e.actor} for e in s.query(AuditEntry).all()]


def test_tokens_revoked_and_users_deactivated_end_at_once(api: Api) -> None:
    clerk = api.login("clerk")
    made = clerk.post(
        "/api/v1/tokens", json={"name": "ketoan", "scopes": ["receipts"], "days": 366}
    )
    assert made.status_code == 201
    token, token_id = made.json()["token"], made.json()["id"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/receipts", headers=bearer).status_code == 200
    assert clerk.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    assert api.client.get("/api/v1/receipts", headers=bearer).status_code == 401
    # Another user's token is not theirs to revoke.
    other = api.login("admin").post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["users"], "days": 1}
    )
    assert clerk.delete(f"/api/v1/tokens/{other.json()['id']}").status_code == 404

    second = clerk.post("/api/v1/tokens", json={"name": "b", "scopes": ["receipts"], "days": 9})
    bearer = {"Authorization": f"Bearer {second.json()['token']}"}
    admin = api.login("admin")
    sessions = admin.get(f"/api/v1/users/{api.users['clerk']}/sessions").json()
    assert sessions["count"] >= 1
    assert admin.post(f"/api/v1/users/{api.users['clerk']}/deactivate").status_code == 200
    assert clerk.get("/api/v1/auth/me").status_code == 401
    assert api.client.get("/api/v1/receipts", headers=bearer).status_code == 401
    assert _login(api, "clerk", PASSWORD) == 401
    assert admin.get(f"/api/v1/users/{api.users['clerk']}/sessions").json()["count"] == 0
    assert admin.post(f"/api/v1/users/{api.users['admin']}/deactivate").status_code == 409


def test_password_change_and_reset(api: Api) -> None:
    clerk, other = api.login("clerk"), api.login("clerk")
    new = "bến đò sông Thương 7"
    wrong = clerk.post(
        "/api/v1/auth/password", json={"current_password": "sai-roi-nhe", "new_password": new}
    )
    assert wrong.status_code == 401
    weak = clerk.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "1234567890"}
    )
    assert weak.status_code == 422
    ok = clerk.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new}
    )
    assert ok.status_code == 204
    assert clerk.get("/api/v1/auth/me").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401  # other sessions ended
    assert _login(api, "clerk", PASSWORD) == 401 and _login(api, "clerk", new) == 200
    admin = api.login("admin")
    reset = "cây đa đầu làng 42"
    url = f"/api/v1/users/{api.users['clerk']}/password"
    assert admin.post(url, json={"new_password": reset}).status_code == 204
    assert clerk.get("/api/v1/auth/me").status_code == 401
    assert _login(api, "clerk", reset) == 200
    actions = {e["action"] for e in _audit(api)}
    assert {"password.change", "password.change_failed", "password.reset"} <= actions


@pytest.mark.parametrize(
    "path", ["/api/v1/dossiers/1/return", "/api/v1/series/1/deactivate", "/api/v1/auth/logout"]
)
def test_cookie_changes_need_the_csrf_header_body_or_not(api: Api, path: str) -> None:
    who = "admin" if "series" in path else "clerk"
    forged = TestClient(api.client.app)
    forged.cookies.update(api.login(who).cookies)  # what a cross-site form would send
    r = forged.post(path)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_refused"
    assert forged.get("/api/v1/auth/me").status_code == 200  # reading stays possible


def test_client_address_from_trusted_proxies_only() -> None:
    proxies = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/64")]
    # No trusted proxy: the header is ignored, whatever it says.
    for forged in ("1.1.1.1", "2.2.2.2, 3.3.3.3"):
        assert client_address("198.51.100.7", [forged], trusted_proxies=proxies) == "198.51.100.7"
        assert client_address("198.51.100.7", [forged], trusted_proxies=[]) == "198.51.100.7"
    # Behind our proxies: the first untrusted hop from the right, forged hops to its left ignored.
    for client in ("203.0.113.5", "203.0.113.6", "2001:db8::9"):
        for forged in ("1.1.1.1", "8.8.8.8"):
            header = f"{forged}, {client}, 10.0.0.3"
            assert client_address("10.0.0.2", [header], trusted_proxies=proxies) == client
            assert client_address("fd00::1", [header], trusted_proxies=proxies) == client


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit(api: Api) -> None:
    api.service.settings.rate_limit_per_minute = 5
    codes = [
        api.client.get("/v/AAAAAAAAAAAAAAAAAAAAAA", headers={"X-Forwarded-For": f"7.7.7.{i}"})
        for i in range(12)
    ]
    assert 429 in [r.status_code for r in codes]


def test_docs_load_nothing_from_another_host(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    sources += re.findall(r"(?:src|href)='([^']+)'", page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "cdn" not in page.text.lower()
    for src in sources:
        assert api.client.get(src).status_code == 200, src
    assert api.client.get("/redoc").status_code == 404
