"""Storage faults, each answered 503 with a stable code (Vietnamese and English) and nothing
half written; the public page keeps answering; once the fault is gone the next receipt takes
the next number (no gap). SQLite in a folder the test controls: a database locked by another
connection, a read-only file system (a tmpfs remounted read-only) and a full one (a small
tmpfs filled up). Mounting needs root, which CI has."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from esign.app import create_app
from esign.config import Settings
from esign.db import Database
from esign.db.models import Receipt, UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM
from esign.workflows.series import create_series
from esign.workflows.users import create_user
from receipts.catalog import default_catalog

from .harness import body_for

PASSWORD = "mat-khau-thu-nghiem-dai"


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


@contextlib.contextmanager
def ward(data: Path, pki_template: Path, *, busy_timeout: float = 60.0) -> Iterator[TestClient]:
    """A service on SQLite in ``data`` and a clerk's logged-in client."""
    shutil.copytree(pki_template, data / "pki")
    url = f"sqlite:///{data / 'esign.sqlite3'}"
    db = Database(url, busy_timeout=busy_timeout)
    db.migrate()
    with db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        create_user(
            s,
            SYSTEM,
            username="clerk",
            full_name="Lê Thị Thu",
            role=UserRole.CLERK,
            password=PASSWORD,
        )
    settings = Settings(data_dir=data, database_url=url, signing_level=PadesLevel.B_B)
    service = Service(settings=settings, db=db, catalog=default_catalog("HD"))
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.headers["X-CSRF-Token"]
        yield client
    db.dispose()


def _issue(client: TestClient, key: str) -> tuple[int, dict[str, object]]:
    r = client.post("/api/v1/receipts", json=body_for(key), headers={"Idempotency-Key": key})
    return r.status_code, r.json()


def _numbers(data: Path) -> list[int]:
    db = Database(f"sqlite:///{data / 'esign.sqlite3'}")
    try:
        with db.reading() as s:
            return sorted(s.scalars(select(Receipt.number)))
    finally:
        db.dispose()


def _assert_refused(status: int, body: dict[str, object], code: str) -> None:
    assert status == 503, body
    error = body["error"]
    assert isinstance(error, dict) and error["code"] == code
    assert (
        error["message_vi"]
        and error["message_en"]
        and "nothing was written" in str(error["message_en"])
    )


def test_database_locked_answers_503_then_continues(tmp_path: Path, pki_template: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with ward(data, pki_template, busy_timeout=1.0) as client:
        status, first = _issue(client, "k-1")
        assert status == 201
        holder = sqlite3.connect(data / "esign.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            status, body = _issue(client, "k-2")
            _assert_refused(status, body, "database_busy")
            # The public page reads (WAL) and queues its scan: no write, no wait.
            page = client.get(f"/v/{first['token']}")
            assert page.status_code == 200 and "Khách k-1" not in page.text
        finally:
            holder.rollback()
            holder.close()
        assert _issue(client, "k-2")[0] == 201
    assert _numbers(data) == [1, 2]


def test_read_only_folder_answers_503_then_continues(tmp_path: Path, pki_template: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with ward(data, pki_template) as client:
        status, first = _issue(client, "k-1")
        assert status == 201
        # The folder made read-only under the running service (a bind mount of itself); the
        # pool's open files would still write through the old mount: start them anew.
        subprocess.run(["mount", "--bind", str(data), str(data)], check=True)
        try:
            remount(data, "ro,bind")
            client.app.state.service.db.dispose()  # type: ignore[attr-defined]
            status, body = _issue(client, "k-2")
            _assert_refused(status, body, "storage_read_only")
            assert client.get(f"/v/{first['token']}").status_code == 200
        finally:
            subprocess.run(["umount", "-l", str(data)], check=False)
        client.app.state.service.db.dispose()  # type: ignore[attr-defined]
        assert _issue(client, "k-2")[0] == 201
        assert _issue(client, "k-3")[0] == 201
    assert _numbers(data) == [1, 2, 3]


def test_full_disk_answers_503_then_continues(tmp_path: Path, pki_template: Path) -> None:
    with tmpfs(tmp_path / "mnt", "16m") as mnt:
        data = mnt / "data"
        data.mkdir()
        with ward(data, pki_template) as client:
            status, first = _issue(client, "k-1")
            assert status == 201
            filler = mnt / "filler"
            with open(filler, "wb") as f, contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            try:
                refused = [_issue(client, f"k-full-{i}") for i in range(3)]
                for status, body in refused:
                    _assert_refused(status, body, "storage_full")
                assert client.get(f"/v/{first['token']}").status_code == 200
            finally:
                filler.unlink()
            assert _issue(client, "k-2")[0] == 201
        assert _numbers(data) == [1, 2]
        with Database(f"sqlite:///{data / 'esign.sqlite3'}").reading() as s:
            assert s.scalar(select(func.count()).select_from(Receipt)) == 2


@pytest.fixture(autouse=True)
def _need_mount() -> None:
    assert shutil.which("mount"), "mount(8) is needed"
