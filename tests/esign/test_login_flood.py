"""A flood of anonymous failed logins does not stall the counter or the citizens (issue 12).

A real server (uvicorn in its own process, SQLite, B-B) on loopback. For ``PHASE`` seconds a
clerk issues receipts one after another and two citizens open ``/v/<token>``; then the same
again while ``FLOODERS`` clients send wrong passwords for random names as fast as they can.
Issuing rate and the ``/v`` p99 must stay within 2× of the unloaded phase. The figures are
printed (``-s``) for the closing note.

Why it holds: argon2 runs with no transaction open, a blocked address or account is refused
after one read, without hashing and without writing (:mod:`esign.workflows.throttle`).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from esign.config import Settings
from esign.demo import setup_demo
from esign.service import Service
from tests.esign.web.server import free_port

PHASE = 8.0
FLOODERS = 8
RECEIPT = {
    "payer_name": "Bùi Thị Trang",
    "payer_address": "Văn An",
    "payment_method": "cash",
    "fees": {"procedure_code": "CT-BS", "pages": 3},
}


def _password(text: str, username: str) -> str:
    line = next(line for line in text.splitlines() if line.strip().startswith(username + " "))
    return line.split()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The base URL of a demo ward served by uvicorn in another process, and the clerk's
    password."""
    data = tmp_path / "data"
    service = Service.from_settings(Settings(data_dir=data, signing_level="B-B"))  # type: ignore[arg-type]
    try:
        text = setup_demo(service)
    finally:
        service.close()
    port = free_port()
    env = {**os.environ, "ESIGN_DATA_DIR": str(data), "ESIGN_SIGNING_LEVEL": "B-B"}
    env["ESIGN_RATE_LIMIT_PER_MINUTE"] = "100000"  # the citizens here are a load, not abuse
    cmd = [sys.executable, "-m", "uvicorn", "esign.app:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=os.getcwd())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/verify", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base, _password(text, "ketoan")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Phase:
    issued: int = 0
    issue_errors: int = 0
    views: list[float] = field(default_factory=list)
    view_errors: int = 0
    logins: int = 0
    login_codes: dict[int, int] = field(default_factory=dict)

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.views, n=100)[98] if len(self.views) > 2 else 0.0


def _run_phase(base: str, clerk: httpx.Client, token_path: str, *, flooders: int) -> Phase:
    out = Phase()
    stop = threading.Event()
    lock = threading.Lock()

    def issue() -> None:
        while not stop.is_set():
            r = clerk.post("/api/v1/receipts", json=RECEIPT)
            with lock:
                if r.status_code == 201:
                    out.issued += 1
                else:
                    out.issue_errors += 1

    def view() -> None:
        with httpx.Client(base_url=base, timeout=30) as citizen:
            while not stop.is_set():
                t0 = time.perf_counter()
                r = citizen.get(token_path)
                took = time.perf_counter() - t0
                with lock:
                    if r.status_code == 200:
                        out.views.append(took)
                    else:
                        out.view_errors += 1

    def flood(seed: int) -> None:
        rnd = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as attacker:
            while not stop.is_set():
                name = f"ghost{rnd.randrange(10**6)}"
                r = attacker.post(
                    "/api/v1/auth/login", json={"username": name, "password": "sai-mat-khau"}
                )
                with lock:
                    out.logins += 1
                    out.login_codes[r.status_code] = out.login_codes.get(r.status_code, 0) + 1

    threads = [threading.Thread(target=issue), *(threading.Thread(target=view) for _ in range(2))]
    threads += [threading.Thread(target=flood, args=(i,)) for i in range(flooders)]
    for t in threads:
        t.start()
    time.sleep(PHASE)
    stop.set()
    for t in threads:
        t.join(60)
    return out


@pytest.mark.slow
def test_failed_login_flood_leaves_issuing_and_public_pages_alone(
    server: tuple[str, str],
) -> None:
    base, password = server
    with httpx.Client(base_url=base, timeout=60) as clerk:
        r = clerk.post("/api/v1/auth/login", json={"username": "ketoan", "password": password})
        assert r.status_code == 200, r.text
        clerk.headers["X-CSRF-Token"] = r.headers["X-CSRF-Token"]
        first = clerk.post("/api/v1/receipts", json=RECEIPT)
        assert first.status_code == 201, first.text
        token_path = "/v/" + first.json()["verify_url"].split("/v/", 1)[1].split("#")[0]
        quiet = _run_phase(base, clerk, token_path, flooders=0)
        loaded = _run_phase(base, clerk, token_path, flooders=FLOODERS)
    print(
        f"\nflood figures ({PHASE:.0f} s each): unloaded {quiet.issued} receipts, /v p99 "
        f"{quiet.p99 * 1000:.0f} ms ({len(quiet.views)} views); with {FLOODERS} failed-login "
        f"clients ({loaded.logins} attempts, {loaded.login_codes}): {loaded.issued} receipts, "
        f"/v p99 {loaded.p99 * 1000:.0f} ms ({len(loaded.views)} views)"
    )
    assert quiet.issue_errors == loaded.issue_errors == 0
    assert quiet.view_errors == loaded.view_errors == 0
    assert loaded.logins > 0 and set(loaded.login_codes) <= {401, 429}
    assert 429 in loaded.login_codes  # the address was throttled
    assert quiet.issued > 0 and loaded.issued * 2 >= quiet.issued
    assert loaded.p99 <= 2 * quiet.p99 + 0.02  # 20 ms of slack for a timer-sized p99
