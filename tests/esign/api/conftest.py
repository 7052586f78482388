"""An API over each database, with one user of each role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esign.app import create_app
from esign.config import Settings
from esign.db import Database
from esign.db.models import UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM
from esign.workflows.series import create_series
from esign.workflows.users import create_user
from receipts.catalog import default_catalog

PASSWORD = "mat-khau-thu-nghiem"


@dataclass
class Api:
    service: Service
    client: TestClient
    users: dict[str, int]
    _cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    def cookies(self, username: str) -> dict[str, str]:
        """The session cookie of ``username``, logged in once per test."""
        if username not in self._cookies:
            self._cookies[username] = dict(self.login(username).cookies)
        return self._cookies[username]

    def login(self, username: str, *, raise_server_exceptions: bool = True) -> TestClient:
        """A fresh client logged in as ``username`` (session cookie)."""
        client = TestClient(self.client.app, raise_server_exceptions=raise_server_exceptions)
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        # What a browser's script does: send the CSRF token back on every change.
        client.headers["X-CSRF-Token"] = r.headers["X-CSRF-Token"]
        return client


@pytest.fixture
def api(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Api]:
    yield from make_api(database, tmp_path, pki_template)


def make_api(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Api]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(pki_template, data / "pki")
    settings = Settings(
        data_dir=data,
        database_url=database.url,
        signing_level=PadesLevel.B_B,
        public_url="https://vanan.chilinh.haiduong.gov.vn",
    )
    service = Service(settings=settings, db=database, catalog=default_catalog("HD"))
    ids: dict[str, int] = {}
    with database.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        for username, full_name, role, official_role in [
            ("admin", "Quản trị viên", UserRole.ADMIN, None),
            ("clerk", "Lê Thị Thu", UserRole.CLERK, None),
            ("tuphap", "Nguyễn Thị Hương", UserRole.OFFICIAL, "judicial_officer"),
            ("chutich", "Trần Văn Minh", UserRole.OFFICIAL, "chairman"),
        ]:
            user = create_user(
                s,
                SYSTEM,
                username=username,
                full_name=full_name,
                role=role,
                password=PASSWORD,
                official_role=official_role,
            )
            ids[username] = user.id
    with TestClient(create_app(service=service)) as client:
        yield Api(service=service, client=client, users=ids)
