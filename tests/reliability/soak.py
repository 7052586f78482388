"""The long crash loop, by hand: ``python -m tests.reliability.soak --minutes 5``.

Runs the crash loop of :mod:`.harness` for the given time on SQLite, then (``--postgres``, on
by default when ``initdb`` is installed) on a throwaway PostgreSQL server restarted once
(``pg_ctl restart -m immediate``) with ``synchronous_commit=on``. The server is killed every
1–3 s; 8 clients retry their own keys. Prints the figures and every problem found; exits 1 on
any problem.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .harness import Outcome, Server, Site, check, crash_loop, prepare


def _soak(
    site: Site,
    *,
    seconds: float,
    clients: int,
    on_kill: Callable[[int], None] | None = None,
) -> bool:
    prepare(site)
    server = Server(site)
    kills = 1  # at least; then one every 1–3 s until the time is up
    started = time.monotonic()
    requests = 1_000_000  # bounded by the time: no new request after ``seconds``
    outcome: Outcome = crash_loop(
        server,
        clients=clients,
        requests=requests,
        kills=kills,
        between=(1.0, 3.0),
        on_kill=on_kill,
        deadline=seconds * 3 + 120,
        seconds=seconds,
    )
    took = time.monotonic() - started
    findings = check(site, outcome, expected=len(outcome.attempts), starts=server.starts)
    print(
        f"{site.database_url.split(':')[0]}: {findings.receipts} receipts, "
        f"{len(outcome.successes)} requests answered, {findings.retries} retries, "
        f"{findings.starts} server starts ({findings.starts - 1} SIGKILL), {took:.0f} s, "
        f"answers {dict(outcome.statuses)}"
    )
    for problem in findings.problems:
        print("  PROBLEM:", problem)
    return not findings.problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    with_pg = not args.no_postgres and shutil.which("initdb") is not None
    share = seconds / 2 if with_pg else seconds
    root = Path(tempfile.mkdtemp(prefix="esign-soak-"))
    ok = _soak(
        Site(root / "sqlite", f"sqlite:///{root / 'sqlite' / 'esign.sqlite3'}"),
        seconds=share,
        clients=args.clients,
    )
    if with_pg:
        import psycopg

        from tests.reliability.test_crash_loop import restart_postgres
        from tests.utils.postgres import postgres_server

        with postgres_server() as pg:
            url = pg.create_database("soak")
            with psycopg.connect(
                f"host=127.0.0.1 port={pg.port} user=postgres dbname=postgres", autocommit=True
            ) as conn:
                conn.execute("ALTER DATABASE soak SET synchronous_commit = on")
            once = threading.Event()

            def on_kill(i: int) -> None:
                if not once.is_set() and i >= 1:
                    once.set()
                    restart_postgres(pg)

            ok = (
                _soak(Site(root / "pg", url), seconds=share, clients=args.clients, on_kill=on_kill)
                and ok
            )
    shutil.rmtree(root, ignore_errors=True)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
