"""Property-based requests generated from our OpenAPI schema: no input may cause a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from esign.db import Database
from esign.http.csrf import token_for

from .conftest import Api, make_api


@pytest.fixture
def sqlite_api(tmp_path: Path, pki_template: Path) -> Iterator[Api]:
    db = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    db.migrate()
    yield from make_api(db, tmp_path, pki_template)
    db.dispose()


@pytest.fixture
def api_schema(sqlite_api: Api) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", sqlite_api.client.app)


@schemathesis.serializer("application/ocsp-request", "application/timestamp-query")
def _der_bodies(ctx: object, value: object) -> bytes:
    """OCSP and timestamp requests are DER: send whatever was generated as raw bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


schema = schemathesis.pytest.from_fixture("api_schema")
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def _check(case: schemathesis.Case[Any], api: Api, who: str) -> None:
    cookies = api.cookies(who)
    csrf = {"X-CSRF-Token": token_for(cookies["esign_session"])}
    response = case.call(cookies=cookies, headers=csrf)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    ctype = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and ctype[0].startswith("application/json"):
        body = response.json()
        assert "error" in body and body["error"]["code"], body


@schema.parametrize()
@SETTINGS
def test_no_server_error_as_clerk(case: schemathesis.Case[Any], sqlite_api: Api) -> None:
    _check(case, sqlite_api, "clerk")


@schema.parametrize()
@SETTINGS
def test_no_server_error_as_admin(case: schemathesis.Case[Any], sqlite_api: Api) -> None:
    _check(case, sqlite_api, "admin")


@schema.parametrize()
@SETTINGS
def test_no_server_error_as_official(case: schemathesis.Case[Any], sqlite_api: Api) -> None:
    _check(case, sqlite_api, "chutich")
