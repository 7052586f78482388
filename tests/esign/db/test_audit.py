from __future__ import annotations

import pytest
from sqlalchemy import text

from esign import audit
from esign.db import Database


def _fill(db: Database, n: int = 5) -> None:
    for i in range(n):
        with db.transaction() as s:
            audit.append(
                s,
                actor=f"user{i}",
                action="receipt.issue",
                subject=f"receipt:{i}",
                details={"total": 1000 * i, "payer": "Bùi Thị Trang"},
            )


def _tamper(db: Database, sql: str) -> None:
    """Change the log as someone with direct database access could, triggers out of the way."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("SET session_replication_role = replica")
        conn.execute(text(sql))


def test_intact_chain_verifies(database: Database) -> None:
    _fill(database)
    with database.reading() as s:
        result = audit.verify(s)
    assert result.ok and result.entries == 5 and result.first_broken_seq is None


def test_updates_and_deletes_are_refused_by_the_database(database: Database) -> None:
    _fill(database, 2)
    for sql in (
        "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with pytest.raises(Exception, match="append-only"), database.transaction() as s:
            s.execute(text(sql))


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        ("UPDATE audit_log SET details = replace(details, '3000', '300') WHERE seq = 4", 4),
        ("UPDATE audit_log SET actor = 'admin' WHERE seq = 2", 2),
        ("DELETE FROM audit_log WHERE seq = 3", 3),
        # Reordering: swap the contents of entries 2 and 3 (their hashes move with them).
        (
            "UPDATE audit_log SET seq = CASE seq WHEN 2 THEN 1002 WHEN 3 THEN 2 END"
            " WHERE seq IN (2, 3)",
            2,
        ),
        ("DELETE FROM audit_log WHERE seq = 5", 5),
    ],
)
def test_tampering_is_found_at_its_entry(database: Database, sql: str, broken: int) -> None:
    _fill(database)
    _tamper(database, sql)
    with database.reading() as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.first_broken_seq == broken
    assert result.reason
