"""``esign audit verify`` finds a tampered entry where it is, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner, Result

from esign.cli.main import app
from esign.config import get_settings
from esign.db import Database
from esign.db.models import AuditEntry
from tests.esign.api.conftest import Api
from tests.esign.api.conftest import api as api  # the fixture, over both databases

runner = CliRunner()


@pytest.fixture
def logged(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """Some real API actions in the log; the CLI pointed at the same database."""
    admin, clerk = api.login("admin"), api.login("clerk")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": "HT-XNTTHN",
            "applicant_name": "Bùi Thị Trang",
            "applicant_address": "Khu dân cư Văn An 1, phường Văn An",
        },
    )
    assert r.status_code == 201, r.text
    r = admin.post("/api/v1/certificates/vice-chairman/revoke", json={"reason": "superseded"})
    assert r.status_code == 200, r.text
    monkeypatch.setenv("ESIGN_DATABASE_URL", api.service.db.url)
    monkeypatch.setenv("ESIGN_DATA_DIR", str(api.service.settings.data_dir))
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


def _run(*args: str) -> Result:
    return runner.invoke(app, ["audit", *args])


def _count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _tamper(db: Database, sql: str) -> None:
    """Change the log as someone with direct database access could, triggers out of the way."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("SET session_replication_role = replica")
        conn.execute(text(sql))


def test_an_intact_log_verifies_and_lists(logged: Api) -> None:
    n = _count(logged.service.db)
    assert n >= 4  # two logins, a dossier, a revocation
    result = _run("verify")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Nhật ký toàn vẹn: {n} mục"
    as_json = json.loads(_run("verify", "--json").output)
    assert as_json["ok"] is True and as_json["entries"] == n
    assert as_json["first_broken_seq"] is None

    listed = _run("list", "--limit", "2")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and "certificate.revoke" in lines[-1]
    assert lines[-1].split()[0] == str(n) and "certificate:vice-chairman" in lines[-1]
    rows = json.loads(_run("list", "--json", "--limit", "100").output)
    assert [r["seq"] for r in rows] == list(range(1, n + 1))
    assert rows[-1]["details"]["reason"] == "superseded" and rows[-1]["actor"] == "admin:admin"


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        ("UPDATE audit_log SET actor = 'admin:admin' WHERE seq = 2", 2),
        (
            "UPDATE audit_log SET details = replace(details, 'superseded', 'unspecified') "
            "WHERE action = 'certificate.revoke'",
            -1,
        ),
        ("DELETE FROM audit_log WHERE seq = 3", 3),
        # Reordering: swap entries 2 and 3 (their hashes move with them).
        (
            "UPDATE audit_log SET seq = CASE seq WHEN 2 THEN 1002 WHEN 3 THEN 2 END"
            " WHERE seq IN (2, 3)",
            2,
        ),
        ("DELETE FROM audit_log WHERE action = 'certificate.revoke'", -1),  # the last entry
    ],
    ids=["edit-actor", "edit-details", "delete", "reorder", "delete-last"],
)
def test_tampering_is_named_at_its_entry(logged: Api, sql: str, broken: int) -> None:
    db = logged.service.db
    n = _count(db)
    broken = n if broken == -1 else broken  # -1: the revocation, the last entry
    assert _run("verify").exit_code == 0
    _tamper(db, sql)
    result = _run("verify")
    assert result.exit_code == 1, result.output
    assert f"KHÔNG toàn vẹn tại mục {broken}" in result.output
    assert f"{broken - 1} mục đầu còn nguyên" in result.output
    as_json = json.loads(_run("verify", "--json").output)
    assert as_json["ok"] is False and as_json["first_broken_seq"] == broken
    assert as_json["reason"]


def test_no_database_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.delenv("ESIGN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = _run("verify")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "no_database" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "nowhere").exists()  # nothing was created


def test_a_username_with_control_characters_forges_no_line(logged: Api) -> None:
    forged_names = [
        "x\n    999  01/01/2026 00:00:00  admin:admin  receipt.cancel",
        "y\r\x1b[2Kadmin:admin",
        "z\u2028admin:admin\u202e",
    ]
    for name in forged_names:
        r = TestClient(logged.client.app).post(
            "/api/v1/auth/login", json={"username": name, "password": "sai-mat-khau"}
        )
        assert r.status_code == 401
    result = _run("list", "--limit", "50")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    failed = [line for line in lines if "login.failed" in line]
    assert len(failed) == len(forged_names), result.output
    assert not any(line.lstrip().startswith("999") for line in lines)
    assert "\x1b" not in result.output and "\u2028" not in result.output
    assert "\u202e" not in result.output and "\r" not in result.output
    assert "\\n" in result.output and "\\x1b" in result.output
