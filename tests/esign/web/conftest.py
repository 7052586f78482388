"""Fixtures of the public pages' tests: a service with a clerk, and a client of its app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esign.app import create_app
from esign.db import Database
from esign.service import Service
from esign.workflows.actors import Actor

from .helpers import Issued, adjust, build_service, cancel, issue, replace


@dataclass
class Web:
    service: Service
    clerk: Actor
    client: TestClient

    def issue(self, **kwargs: object) -> Issued:
        return issue(self.service, self.clerk, **kwargs)  # type: ignore[arg-type]

    def cancel(self, receipt: Issued, reason: str, *, code: str | None = None) -> None:
        cancel(self.service, self.clerk, receipt.id, reason, code=code)

    def replace(self, receipt: Issued, reason: str) -> Issued:
        return replace(self.service, self.clerk, receipt.id, reason)

    def adjust(self, receipt: Issued, reason: str) -> Issued:
        return adjust(self.service, self.clerk, receipt.id, reason)


def _web(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Web]:
    service, clerk = build_service(
        database, tmp_path / "data", pki_template, upload_limit_bytes=512 * 1024
    )
    with TestClient(create_app(service=service)) as client:
        yield Web(service=service, clerk=clerk, client=client)


@pytest.fixture
def web(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Web]:
    """Over SQLite and over PostgreSQL."""
    yield from _web(database, tmp_path, pki_template)


@pytest.fixture
def web_sqlite(tmp_path: Path, pki_template: Path) -> Iterator[Web]:
    """Over SQLite only: for the tests whose point is not the database."""
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    try:
        yield from _web(database, tmp_path, pki_template)
    finally:
        database.dispose()
