"""The staff pages over SQLite: the API's users (admin, clerk, tuphap, chutich), logged in through
the login form, and helpers that read the tokens a page carries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from esign.db import Database
from esign.db.models import Receipt
from esign.workflows.actors import SYSTEM
from esign.workflows.binding import binding_policy
from esign.workflows.keys import key_policy, set_key_source
from esign.workflows.users import register_certificate
from tests.esign.api.conftest import PASSWORD, Api, make_api

_HIDDEN = r'name="{}" value="([^"]*)"'


def hidden(html: str, name: str) -> str:
    """The value of a hidden field of the page (the first one of that name)."""
    found = re.search(_HIDDEN.format(re.escape(name)), html)
    assert found, f"no field {name!r} in the page"
    return found.group(1)


@dataclass
class Staff:
    api: Api

    def client(self) -> TestClient:
        return TestClient(self.api.client.app, follow_redirects=False)

    def login(self, username: str, password: str = PASSWORD) -> TestClient:
        """A fresh browser-like client, logged in through the form as ``username``."""
        client = self.client()
        form = client.get("/staff/login")
        assert form.status_code == 200
        r = client.post(
            "/staff/login",
            data={"csrf": hidden(form.text, "csrf"), "username": username, "password": password},
        )
        assert r.status_code == 303 and r.headers["location"] == "/staff/", r.text
        return client

    def receipts(self) -> int:
        with self.api.service.db.reading() as s:
            return s.scalar(select(func.count()).select_from(Receipt)) or 0


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def staff(sqlite_database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Staff]:
    for api in make_api(sqlite_database, tmp_path, pki_template):
        yield Staff(api)


@pytest.fixture
def officials(staff: Staff) -> str:
    """Bind tuphap and chutich to their certificates and PKCS#12 files (as the API's tests do);
    returns the key password."""
    api = staff.api
    pki = api.service.pki
    with api.service.db.transaction() as s:
        for username, name in (("tuphap", "judicial-officer"), ("chutich", "chairman")):
            pem = pki.certificate(name).public_bytes(Encoding.PEM).decode()
            register_certificate(
                s,
                SYSTEM,
                user_id=api.users[username],
                certificate_pem=pem,
                policy=binding_policy(pki),
            )
            set_key_source(
                s,
                SYSTEM,
                user_id=api.users[username],
                source={"kind": "pkcs12", "path": str(pki.path / "keys" / f"{name}.p12")},
                policy=key_policy(api.service.settings),
            )
    return (pki.path / "password").read_text().strip()
