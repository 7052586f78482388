"""``esign serve --workers N``: several processes on one PostgreSQL share what they must (the
numbers, the public rate limit); SQLite, one process by design, refuses a second."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from esign.cli.main import app
from esign.config import get_settings
from tests.utils.postgres import PostgresServer
from tests.utils.servers import CLERK, logged_in, prepare_ward, serving


@pytest.mark.postgres
def test_two_workers_issue_gapless_numbers_and_share_one_rate_limit(
    pg_server: PostgresServer, tmp_path: Path
) -> None:
    url = pg_server.create_database("workers_two")
    prepare_ward(tmp_path, url)
    with serving(tmp_path, url, workers=2, env={"ESIGN_RATE_LIMIT_PER_MINUTE": "30"}) as base:
        numbers: list[int] = []
        failures: list[str] = []
        lock = threading.Lock()

        def work(k: int) -> None:
            try:
                issue_three(k)
            except Exception as exc:  # a thread's failure is reported by the test, not lost
                failures.append(repr(exc))

        def issue_three(k: int) -> None:
            client = logged_in(base, CLERK)
            try:
                for i in range(3):
                    body = {
                        "payer_name": f"Phạm Văn Cường {k}-{i}",
                        "payer_address": "Phường Văn An",
                        "payment_method": "bank_transfer",
                        "fees": {"procedure_code": "CT-BS", "pages": 2, "copies": 1},
                    }
                    answer = client.post("/api/v1/receipts", json=body)
                    assert answer.status_code == 201, answer.text
                    with lock:
                        numbers.append(int(answer.json()["number"]))
            finally:
                client.close()

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        assert sorted(numbers) == list(range(1, 13))

        # New connections each time, so the kernel spreads them over both workers: with a
        # bucket per process about 60 would pass before the first refusal.
        allowed = 0
        for i in range(120):
            if httpx.get(f"{base}/v/khong-co-{i}", timeout=30).status_code == 429:
                break
            allowed += 1
        assert 25 <= allowed <= 40, allowed


def test_sqlite_refuses_a_second_worker_and_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ESIGN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--workers", "3", "--port", "8765"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "SQLite" in result.output and "ESIGN_DATABASE_URL" in result.output
    assert "3" in result.output
