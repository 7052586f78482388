"""Load on the citizen's page: /v/<token> against a static file of the same server, in one run.

A throwaway PostgreSQL server (tests/utils/postgres.py; as root it runs through runuser), a
development PKI in a temporary folder, a few receipts issued and signed through the workflows;
then the service itself, started as production would start one worker::

    python -m uvicorn esign.app:create_app --factory --host 127.0.0.1 --port P

in its own process, configured only by ``ESIGN_*`` variables (rate limit raised for the run).
The load generator is this process: asyncio and httpx2, ``--connections`` keep-alive
connections on loopback, each sending its next request when the last one answered, for
``--seconds`` on each target after a short warm-up, so the run ends by itself. Targets:

- ``/v/<token>``: the page a QR opens (rotating over the issued receipts): rate limit, one
  transaction that looks the token up and records the scan, the signature summary (cached),
  the page rendered;
- ``/static/web/web.css``: a static file served by the same app (from memory, with ETag).

Both share the machine's cores with the load generator, and the generator's own cost per
request (httpx2 in Python) bounds what it can measure: the static figure is a ceiling of this
setup, not of the server. Prints requests/s and p50/p99 latency of each, and their ratios.

    python bench/bench_verify_page.py --seconds 15 --connections 64
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<22} {self.requests:>7} req {self.errors:>3} err "
            f"{self.rps:>8.1f} req/s  p50 {self.percentile(50):7.1f} ms  "
            f"p99 {self.percentile(99):7.1f} ms"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def issue_receipts(database_url: str, data: Path, public_url: str, count: int) -> list[str]:
    """A PKI in ``data/pki``, a series, a clerk and ``count`` signed receipts; their tokens."""
    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec
    from esign.config import Settings
    from esign.db import Database
    from esign.db.models import UserRole
    from esign.service import Service
    from esign.workflows import receipts as flows
    from esign.workflows.actors import SYSTEM, Actor
    from esign.workflows.series import create_series
    from esign.workflows.users import create_user
    from receipts.catalog import default_catalog
    from receipts.pdf import PaymentMethod

    init_pki_folder(
        data / "pki", spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
    )
    database = Database(database_url)
    database.migrate()
    settings = Settings(
        data_dir=data, database_url=database_url, signing_level="B-B", public_url=public_url
    )
    service = Service(settings=settings, db=database, catalog=default_catalog("HD"))
    with database.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        clerk = Actor.of(
            create_user(
                s,
                SYSTEM,
                username="clerk",
                full_name="Lê Thị Thu",
                role=UserRole.CLERK,
                password="mat-khau-bench-1",
            )
        )
    tokens = []
    for i in range(count):
        with database.transaction() as s:
            receipt = flows.issue_receipt(
                s,
                clerk,
                service,
                payer_name=f"Nguyễn Văn Khách {i}",
                payer_address="Văn An 1",
                payment_method=PaymentMethod.CASH,
                fees=flows.FeeInput(procedure_code="CT-BS", pages=2, copies=1),
            )
            tokens.append(receipt.token)
    database.dispose()
    return tokens


def start_server(data: Path, database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ESIGN_DATA_DIR": str(data),
        "ESIGN_DATABASE_URL": database_url,
        "ESIGN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ESIGN_SIGNING_LEVEL": "B-B",
        "ESIGN_RATE_LIMIT_PER_MINUTE": str(10**9),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "esign.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=data,  # no stray .env from the repository
    )


async def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    async with httpx2.AsyncClient(base_url=base) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError("the server process ended")
            try:
                if (await client.get("/static/web/web.css")).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            await asyncio.sleep(0.2)


async def load(
    base: str, name: str, paths: list[str], *, connections: int, seconds: float, warmup: float
) -> Result:
    """``connections`` workers, each one request at a time, until the deadline."""
    import httpx2

    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        latencies: list[float] = []
        counts = {"requests": 0, "errors": 0}
        measuring = False

        async def worker(index: int, until: float) -> None:
            i = index
            while (now := time.perf_counter()) < until:
                path = paths[i % len(paths)]
                i += connections
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx2.HTTPError:
                    ok = False
                if measuring:
                    latencies.append(time.perf_counter() - now)
                    counts["requests"] += 1
                    counts["errors"] += not ok

        await asyncio.gather(*(worker(i, time.perf_counter() + warmup) for i in range(connections)))
        measuring = True
        start = time.perf_counter()
        await asyncio.gather(*(worker(i, start + seconds) for i in range(connections)))
        elapsed = time.perf_counter() - start
    return Result(name, counts["requests"], counts["errors"], elapsed, latencies)


def count_scans(database_url: str) -> int:
    from sqlalchemy import func, select

    from esign.db import Database
    from esign.db.models import ScanRecord

    database = Database(database_url)
    try:
        with database.reading() as s:
            return int(s.scalar(select(func.count()).select_from(ScanRecord)) or 0)
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured, per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="not measured, per target")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--receipts", type=int, default=5)
    args = parser.parse_args(argv)

    from tests.utils.postgres import postgres_server

    began = time.monotonic()
    with postgres_server() as pg, tempfile.TemporaryDirectory(prefix="esign-bench-") as tmp:
        database_url = pg.create_database("bench_verify_page")
        data = Path(tmp) / "data"
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        tokens = issue_receipts(database_url, data, base, args.receipts)
        server = start_server(data, database_url, port)
        try:
            asyncio.run(wait_ready(base, server))
            import httpx2

            page = httpx2.get(f"{base}/v/{tokens[0]}")
            assert page.status_code == 200 and "Văn bản thật" in page.text, page.status_code
            scans_before = count_scans(database_url)
            results = [
                asyncio.run(
                    load(
                        base,
                        name,
                        paths,
                        connections=args.connections,
                        seconds=args.seconds,
                        warmup=args.warmup,
                    )
                )
                for name, paths in (
                    ("/v/<token>", [f"/v/{t}" for t in tokens]),
                    ("/static/web/web.css", ["/static/web/web.css"]),
                )
            ]
            scans = count_scans(database_url) - scans_before
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    page_result, static_result = results
    print(
        f"PostgreSQL, one uvicorn worker, {args.connections} connections on loopback, "
        f"{args.seconds:.0f} s per target after {args.warmup:.0f} s warm-up, "
        f"{os.cpu_count()} CPUs shared with the load generator"
    )
    for r in results:
        print(r.line())
    print(
        f"page / static: {page_result.rps / static_result.rps:.2f} of the requests/s, "
        f"p50 {page_result.percentile(50) / static_result.percentile(50):.1f}×, "
        f"p99 {page_result.percentile(99) / static_result.percentile(99):.1f}×"
    )
    print(f"scans recorded during the run: {scans} (page requests incl. warm-up)")
    print(f"mean page latency {statistics.fmean(page_result.latencies) * 1000:.1f} ms")
    print(f"total run time {time.monotonic() - began:.0f} s")
    return 0 if page_result.errors == 0 and static_result.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
