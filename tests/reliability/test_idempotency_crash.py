"""The key's answer is stored with the receipt: a process killed right after the issuing
commit leaves both, and the retry gets the first receipt (before: the key stayed "in flight",
409 for five minutes, then a second receipt)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select

from esign.db import Database
from esign.db.models import Receipt

from .harness import Server, Site, body_for, prepare


def test_killed_right_after_commit_retry_returns_the_first_receipt(
    tmp_path: Path, pki_template: Path
) -> None:
    site = prepare(
        Site(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'esign.sqlite3'}"),
        pki_template=pki_template,
    )
    keys = ["quay-1-0001", "quay-1-0002"]
    for key in keys:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.reliability.killed_after_commit",
                str(site.data_dir),
                site.database_url,
                key,
            ],
            env=site.env(),
            capture_output=True,
            timeout=120,
        )
        assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    db = Database(site.database_url)
    with db.reading() as s:
        stored = {r.payer_name: r.id for r in s.scalars(select(Receipt))}
    assert set(stored) == {f"Khách {k}" for k in keys}
    server = Server(site)
    server.start()
    try:
        for key in keys:
            r = httpx.post(
                server.url + "/api/v1/receipts",
                json=body_for(key),
                headers={"Authorization": f"Bearer {site.token}", "Idempotency-Key": key},
                timeout=60,
            )
            assert r.status_code == 201, r.text
            assert r.json()["id"] == stored[f"Khách {key}"]
    finally:
        server.stop()
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == len(keys)
    db.dispose()
