"""Every API and PKI endpoint refuses the roles that must not use it: anonymous callers get 401,
the other roles 403, before any input is read. A new endpoint must be added to the table."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import Api

ANY = {"anonymous", "clerk", "official", "admin"}
STAFF = {"clerk", "official", "admin"}
ROLES: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/auth/login"): ANY,
    ("POST", "/api/v1/auth/logout"): ANY,
    ("GET", "/api/v1/auth/me"): STAFF,
    ("POST", "/api/v1/tokens"): STAFF,
    ("GET", "/api/v1/tokens"): STAFF,
    ("POST", "/api/v1/users"): {"admin"},
    ("GET", "/api/v1/users"): {"admin"},
    ("PUT", "/api/v1/users/{user_id}/certificate"): {"admin"},
    ("POST", "/api/v1/users/{user_id}/certificate/confirm"): {"admin"},
    ("POST", "/api/v1/auth/password"): STAFF,
    ("GET", "/api/v1/auth/sessions"): STAFF,
    ("DELETE", "/api/v1/auth/sessions/{ref}"): STAFF,
    ("DELETE", "/api/v1/tokens/{token_id}"): STAFF,
    ("GET", "/api/v1/users/{user_id}/sessions"): {"admin"},
    ("DELETE", "/api/v1/users/{user_id}/sessions/{ref}"): {"admin"},
    ("GET", "/api/v1/users/{user_id}/tokens"): {"admin"},
    ("POST", "/api/v1/users/{user_id}/deactivate"): {"admin"},
    ("POST", "/api/v1/users/{user_id}/activate"): {"admin"},
    ("POST", "/api/v1/users/{user_id}/password"): {"admin"},
    ("GET", "/api/v1/lockouts"): {"admin"},
    ("DELETE", "/api/v1/lockouts/{key}"): {"admin"},
    ("PUT", "/api/v1/users/{user_id}/key-source"): {"admin"},
    ("GET", "/api/v1/procedures"): STAFF,
    ("POST", "/api/v1/quotes"): {"clerk", "admin"},
    ("POST", "/api/v1/dossiers"): {"clerk"},
    ("GET", "/api/v1/dossiers"): STAFF,
    ("GET", "/api/v1/dossiers/{dossier_id}"): STAFF,
    ("GET", "/api/v1/dossiers/{dossier_id}/quote"): {"clerk"},
    ("POST", "/api/v1/dossiers/{dossier_id}/return"): {"clerk"},
    ("POST", "/api/v1/receipts"): {"clerk"},
    ("GET", "/api/v1/receipts"): {"clerk", "admin"},
    ("GET", "/api/v1/receipts/{receipt_id}"): {"clerk", "admin"},
    ("GET", "/api/v1/receipts/{receipt_id}/pdf"): {"clerk", "admin"},
    ("POST", "/api/v1/receipts/{receipt_id}/cancel"): {"clerk"},
    ("POST", "/api/v1/receipts/{receipt_id}/replace"): {"clerk"},
    ("POST", "/api/v1/receipts/{receipt_id}/adjust"): {"clerk"},
    ("GET", "/api/v1/receipts/{receipt_id}/xml"): {"clerk", "admin"},
    ("POST", "/api/v1/receipts/{receipt_id}/notices"): {"clerk"},
    ("GET", "/api/v1/receipts/{receipt_id}/notices"): {"clerk", "admin"},
    ("GET", "/api/v1/notices/{notice_id}/xml"): {"clerk", "admin"},
    ("POST", "/api/v1/series"): {"admin"},
    ("GET", "/api/v1/series"): {"clerk", "admin"},
    ("POST", "/api/v1/series/{series_id}/deactivate"): {"admin"},
    ("POST", "/api/v1/results"): {"clerk", "admin"},
    ("GET", "/api/v1/results"): STAFF,
    ("GET", "/api/v1/results/queue"): {"official"},
    ("POST", "/api/v1/results/sign"): {"official"},
    ("GET", "/api/v1/results/{result_id}"): STAFF,
    ("GET", "/api/v1/results/{result_id}/pdf"): STAFF,
    ("GET", "/api/v1/results/{result_id}/verification"): STAFF,
    ("GET", "/api/v1/certificates"): {"admin"},
    ("GET", "/api/v1/certificates/{name}"): {"admin"},
    ("POST", "/api/v1/certificates/import"): {"admin"},
    ("POST", "/api/v1/certificates/{name}/revoke"): {"admin"},
    ("GET", "/api/v1/seal-keys"): {"admin"},
    ("POST", "/api/v1/seal-keys/rotate"): {"admin"},
    ("POST", "/api/v1/seal-keys/{kid}/withdraw"): {"admin"},
    ("GET", "/api/v1/reports/summary"): {"clerk", "admin"},
    # Reports to the tax authority, paper receipts, unverified law (branch reports).
    ("GET", "/api/v1/tax/submissions"): {"admin"},
    ("GET", "/api/v1/tax/submissions/{submission_id}"): {"admin"},
    ("GET", "/api/v1/tax/submissions/{submission_id}/xml"): {"admin"},
    ("GET", "/api/v1/tax/submissions/{submission_id}/xlsx"): {"admin"},
    ("POST", "/api/v1/tax/summaries"): {"admin"},
    ("POST", "/api/v1/tax/registrations"): {"admin"},
    ("POST", "/api/v1/tax/send"): {"admin"},
    ("POST", "/api/v1/tax/submissions/{submission_id}/send"): {"admin"},
    ("GET", "/api/v1/paper/stock"): {"clerk", "admin"},
    ("POST", "/api/v1/paper/stock"): {"admin"},
    ("POST", "/api/v1/paper/uses"): {"clerk", "admin"},
    ("GET", "/api/v1/paper/destructions"): {"admin"},
    ("POST", "/api/v1/paper/destructions"): {"admin"},
    ("GET", "/api/v1/law/unverified"): {"admin"},
    ("POST", "/api/v1/law/acknowledgements"): {"admin"},
    ("POST", "/api/v1/verify"): ANY,
    # The PKI: what validators fetch is public; the TSA answers only our own clients.
    ("GET", "/pki/crl/{ca}.crl"): ANY,
    ("GET", "/pki/ca/{ca}.cer"): ANY,
    ("POST", "/pki/ocsp"): ANY,
    ("GET", "/pki/ocsp/{encoded}"): ANY,
    ("POST", "/pki/tsa"): STAFF,
}
USERS = {"clerk": "clerk", "official": "chutich", "admin": "admin"}


def _routes(api: Api) -> list[tuple[str, str]]:
    """Every operation of the published OpenAPI schema under /api/v1 and /pki."""
    app = api.client.app
    assert isinstance(app, FastAPI)
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path)
        for path, ops in paths.items()
        if path.startswith(("/api/v1/", "/pki/"))
        for method in ops
    ]


def test_every_endpoint_is_in_the_table(api: Api) -> None:
    missing = [r for r in _routes(api) if r not in ROLES]
    assert not missing, f"add these to ROLES: {missing}"


@pytest.mark.parametrize("who", ["anonymous", "clerk", "official", "admin"])
def test_roles_are_refused(api: Api, who: str) -> None:
    client = TestClient(api.client.app) if who == "anonymous" else api.login(USERS[who])
    checked = 0
    for method, path in _routes(api):
        allowed = ROLES.get((method, path), set())
        if who in allowed:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        r = client.request(method, url, json={})
        expected = 401 if who == "anonymous" else 403
        assert r.status_code == expected, (who, method, path, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] in ("unauthenticated", "forbidden")
        checked += 1
    assert checked >= 5
