"""Receipts issued through ``POST /api/v1/receipts`` by concurrent clients, against real
``esign serve`` processes, beside the yardstick run in the same invocation.

For each configuration (SQLite with 1 process; PostgreSQL with 1 process, with N workers, and
two hosts: two ``esign serve`` on two ports, one data folder, clients spread over both):
a fresh data folder (development PKI, a series, a clerk), ``python -m esign serve`` started on
a free loopback port, ``--clients`` threads each logged in and posting receipts until
``--count`` are made. Prints receipts/s, p50 and p99 latency, and the ratio to the yardstick
(``naive_receipts.py`` from ``../shared/bench`` or ``--shared DIR``). Every receipt made is
checked: its PDF fetched and hashed against the answer's ``pdf_sha256`` (all), its numbers
1..N without a hole per series, and a sample verified by the project's verifier.

    python bench/bench_issue_http.py [--count 120] [--clients 8] [--workers 2]
        [--lines 1,5,20]          # the scale figures: fee lines per receipt (PostgreSQL, N workers)
        [--only sqlite|pg1|pgN|hosts2]   # one configuration
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "mat-khau-bench-1"


def body(lines: int, index: int) -> dict[str, Any]:
    if lines <= 1:
        fees: dict[str, Any] = {"procedure_code": "CT-BS", "pages": 1 + index % 5, "copies": 1}
    else:
        fees = {
            "lines": [
                {
                    "name": f"Lệ phí chứng thực bản sao số {k + 1}",
                    "legal_basis": "Thông tư 226/2016/TT-BTC",
                    "quantity": 1 + k % 3,
                    "unit_price": 2000,
                    "amount": 2000 * (1 + k % 3),
                }
                for k in range(lines)
            ]
        }
    return {
        "payer_name": f"Nguyễn Văn An {index}",
        "payer_address": "Phường Văn An, Chí Linh",
        "payment_method": "cash",
        "fees": fees,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path, database_url: str) -> None:
    """A development PKI, the schema, a series and a clerk, as ``esign serve --demo`` would."""
    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec
    from esign.db import Database
    from esign.db.models import UserRole
    from esign.workflows.actors import SYSTEM
    from esign.workflows.series import create_series
    from esign.workflows.users import create_user

    init_pki_folder(
        folder / "pki", spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
    )
    db = Database(database_url)
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
    db.dispose()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(
    folder: Path, database_url: str, *, workers: int, port: int | None = None
) -> Server:
    port = port or free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ESIGN_DATA_DIR": str(folder),
        "ESIGN_DATABASE_URL": database_url,
        "ESIGN_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with (folder / f"serve-{port}.log").open("wb") as err:  # a file: a full pipe blocks
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "esign",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=folder,
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    wait_ready(server)
    return server


def wait_ready(server: Server, timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("esign serve ended (see serve-*.log in its data folder)")
        try:
            if httpx.get(server.url + "/verify", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("esign serve did not answer")


def login(url: str) -> Any:
    import httpx

    client = httpx.Client(base_url=url, timeout=60)
    answer = client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.headers["X-CSRF-Token"]  # cookie changes need it
    return client


@dataclass
class Run:
    made: list[dict[str, Any]]
    latencies: list[float]
    seconds: float


def issue_many(urls: list[str], *, count: int, clients: int, lines: int) -> Run:
    """``clients`` threads (spread over ``urls``) post until ``count`` receipts exist."""
    sessions = [login(urls[i % len(urls)]) for i in range(clients)]
    for client in sessions[: len(urls)]:  # warm each server: imports, signer, font subset
        assert client.post("/api/v1/receipts", json=body(lines, 0)).status_code == 201
    tickets = iter(range(count))
    lock = threading.Lock()
    made: list[dict[str, Any]] = []
    latencies: list[float] = []
    errors: list[str] = []

    def work(client: Any) -> None:
        while True:
            with lock:
                index = next(tickets, None)
            if index is None:
                return
            t0 = time.perf_counter()
            answer = client.post("/api/v1/receipts", json=body(lines, index))
            elapsed = time.perf_counter() - t0
            with lock:
                if answer.status_code != 201:
                    errors.append(f"{answer.status_code} {answer.text[:200]}")
                else:
                    made.append(answer.json())
                    latencies.append(elapsed)

    threads = [threading.Thread(target=work, args=(c,)) for c in sessions]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise AssertionError(f"{len(errors)} failed: {errors[:3]}")
    check_all(sessions[0], made, folder_sample=True)
    for c in sessions:
        c.close()
    return Run(made, latencies, seconds)


def check_all(client: Any, made: list[dict[str, Any]], *, folder_sample: bool) -> None:
    """Every receipt's PDF matches its hash; numbers 1..N per series; a sample verifies."""
    from esign.signing.verify import verify

    trust = TRUST[0]
    every = client.get("/api/v1/receipts", params={"limit": 1000})
    numbers: dict[tuple[str, str, int], list[int]] = {}
    for r in made:
        numbers.setdefault((r["template_symbol"], r["series"], r["year"]), [])
    listed = every.json() if every.status_code == 200 else None
    all_numbers = sorted(r["number"] for r in made)
    # the warm-up receipts are number 1..k: the run's numbers are the rest, without a hole
    assert all_numbers == list(range(all_numbers[0], all_numbers[0] + len(made))), "numbers"
    assert len(set(all_numbers)) == len(made)
    sample_every = max(1, len(made) // 10)
    for i, r in enumerate(made):
        pdf = client.get(f"/api/v1/receipts/{r['id']}/pdf")
        assert pdf.status_code == 200, pdf.text
        assert hashlib.sha256(pdf.content).hexdigest() == r["pdf_sha256"], r["id"]
        if folder_sample and trust is not None and i % sample_every == 0:
            report = verify(pdf.content, trust=trust, isolate=False, visual=False)
            assert report.verdict.value == "valid", (r["id"], report.message_en)
    del listed


TRUST: list[Any] = [None]


def load_trust(folder: Path) -> None:
    from certs import open_pki_folder
    from esign.signing.pki import trust_config

    TRUST[0] = trust_config(open_pki_folder(folder / "pki"))


def yardstick(shared: Path, count: int) -> float:
    script = shared / "naive_receipts.py"
    out = subprocess.run(
        [sys.executable, str(script), "--count", str(count)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"= ([0-9.]+) receipts/s", out)
    assert match, out
    return float(match.group(1))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_config(
    name: str, *, pg: Any, workers: int, count: int, clients: int, lines: int, hosts: int = 1
) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-issue-{name}-"))
    try:
        if pg is None:
            url = f"sqlite:///{folder / 'esign.sqlite3'}"
        else:
            url = pg.create_database(f"bench_{name}_{os.getpid()}_{int(time.time())}")
        prepare(folder, url)
        load_trust(folder)
        servers = [start_server(folder, url, workers=workers) for _ in range(hosts)]
        try:
            run = issue_many([s.url for s in servers], count=count, clients=clients, lines=lines)
        finally:
            for server in servers:
                server.stop()
        rate = len(run.made) / run.seconds
        return {
            "rate": rate,
            "p50": pct(run.latencies, 50) * 1000,
            "p99": pct(run.latencies, 99) * 1000,
            "n": len(run.made),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--yardstick-count", type=int, default=30)
    parser.add_argument("--lines", default="", help="e.g. 1,5,20: the scale run instead")
    parser.add_argument("--only", choices=("sqlite", "pg1", "pgN", "hosts2"), default=None)
    args = parser.parse_args()

    from tests.utils.postgres import postgres_server

    t0 = time.perf_counter()
    naive = yardstick(args.shared, args.yardstick_count)
    print(f"yardstick (naive_receipts.py, same run): {naive:.1f} receipts/s")
    with postgres_server() as pg:
        configs: list[tuple[str, Any, int, int, int]]
        if args.lines:
            configs = [(f"lines{n}", pg, args.workers, int(n), 1) for n in args.lines.split(",")]
        else:
            configs = [
                ("sqlite", None, 1, 1, 1),
                ("pg1", pg, 1, 1, 1),
                ("pgN", pg, args.workers, 1, 1),
                ("hosts2", pg, 1, 1, 2),  # two esign serve on two ports, clients spread
            ]
            if args.only:
                configs = [c for c in configs if c[0] == args.only]
        print(
            f"{'configuration':<34}{'receipts/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'× yardstick':>13}"
        )
        for name, server, workers, lines, hosts in configs:
            figures = run_config(
                name,
                pg=server,
                workers=workers,
                count=args.count,
                clients=args.clients,
                lines=lines,
                hosts=hosts,
            )
            label = (
                f"{'SQLite' if server is None else 'PostgreSQL'}, "
                + (f"{hosts} hosts × " if hosts > 1 else "")
                + f"{workers} process{'es' if workers > 1 else ''}, "
                f"{lines} line{'s' if lines > 1 else ''}"
            )
            print(
                f"{label:<34}{figures['rate']:>11.1f}{figures['p50']:>9.0f}{figures['p99']:>9.0f}"
                f"{figures['rate'] / naive:>12.1f}×",
                flush=True,
            )
    print(
        f"{args.clients} clients, {args.count} receipts per configuration, all checked by hash, "
        f"numbers gapless, every ~10th verified; {time.perf_counter() - t0:.0f} s in all"
    )


if __name__ == "__main__":
    main()
