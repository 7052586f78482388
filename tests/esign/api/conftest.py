"""An API over each database, with one user of each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esign.api import create_app
from esign.config import Settings
from esign.db import Database
from esign.db.models import UserRole
from esign.service import Service
from esign.workflows.actors import SYSTEM
from esign.workflows.users import create_user
from receipts.catalog import default_catalog

PASSWORD = "mat-khau-thu-nghiem"


@dataclass
class Api:
    service: Service
    client: TestClient
    users: dict[str, int]

    def login(self, username: str) -> TestClient:
        """A fresh client logged in as ``username`` (session cookie)."""
        client = TestClient(self.client.app)
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return client


@pytest.fixture
def api(database: Database, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database.url)
    service = Service(settings=settings, db=database, catalog=default_catalog("HD"))
    ids: dict[str, int] = {}
    with database.transaction() as s:
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
