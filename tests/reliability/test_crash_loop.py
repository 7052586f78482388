"""The short crash loop in CI: SIGKILL during concurrent issuing with retried keys, on SQLite
and on PostgreSQL (PostgreSQL itself restarted once). The long one:
``python -m tests.reliability.soak --minutes 5``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.utils.postgres import PostgresServer, _bin

from .harness import Server, Site, check, crash_loop, prepare

CLIENTS, REQUESTS, KILLS = 4, 8, 3


def _run(site: Site, pki_template: Path, **loop: object) -> None:
    prepare(site, pki_template=pki_template)
    server = Server(site)
    outcome = crash_loop(server, clients=CLIENTS, requests=REQUESTS, kills=KILLS, **loop)  # type: ignore[arg-type]
    findings = check(site, outcome, expected=CLIENTS * REQUESTS, starts=server.starts)
    assert findings.problems == (), findings.problems
    assert findings.receipts == CLIENTS * REQUESTS
    assert server.starts == KILLS + 1  # the server really was killed that often


def test_crash_loop_sqlite(tmp_path: Path, pki_template: Path) -> None:
    site = Site(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'esign.sqlite3'}")
    _run(site, pki_template)


def restart_postgres(server: PostgresServer) -> None:
    """``pg_ctl restart -m immediate``: a crash of PostgreSQL itself (its options kept). The
    new postmaster writes to the log file, not to our pipes (which would never close)."""
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *run_as,
            _bin("pg_ctl"),
            "-D",
            str(server.folder / "pg"),
            "-l",
            str(server.folder / "log"),
            "-m",
            "immediate",
            "-w",
            "restart",
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.mark.postgres
def test_crash_loop_postgresql(
    tmp_path: Path, pki_template: Path, pg_server: PostgresServer
) -> None:
    import psycopg

    url = pg_server.create_database("crash_loop")
    # The shared test server runs with synchronous_commit=off (speed): a crash of PostgreSQL
    # could then lose commits it acknowledged. Production keeps the default (on); so does this.
    with psycopg.connect(
        f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute("ALTER DATABASE crash_loop SET synchronous_commit = on")

    def on_kill(i: int) -> None:
        if i == 0:
            restart_postgres(pg_server)

    _run(Site(tmp_path / "data", url), pki_template, on_kill=on_kill)
