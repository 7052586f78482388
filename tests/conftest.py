"""Shared fixtures: the databases (SQLite and a real PostgreSQL server) and the artifacts folder."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from esign.db import Database
from tests.utils.postgres import PostgresServer, postgres_server

pytest_plugins = ["tests.utils.pki_fixtures"]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_counter = itertools.count()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: SQLite in a temporary folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'esign.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = server.create_database(f"test_{next(_counter)}")
    db = Database(url)
    db.migrate()
    yield db
    db.dispose()


# CI runs the property tests derandomized: the same examples every run, so a failure there is
# reproducible and never a fluke of one draw; developers' runs explore freely.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
