"""Real ``esign serve`` processes on loopback, for the tests of workers and hosts."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLERK = ("clerk", "mat-khau-hosts-1")
ADMIN = ("admin", "mat-khau-hosts-2")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_ward(folder: Path, database_url: str) -> None:
    """A development PKI, the schema, a series, a clerk and an administrator."""
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
        for (username, password), role in ((CLERK, UserRole.CLERK), (ADMIN, UserRole.ADMIN)):
            create_user(
                s, SYSTEM, username=username, full_name="Lê Thị Thu", role=role, password=password
            )
    db.dispose()


@contextlib.contextmanager
def serving(
    folder: Path, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``python -m esign serve`` on a free port; yields its base URL; stops it at the end."""
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ESIGN_DATA_DIR": str(folder),
        "ESIGN_DATABASE_URL": database_url,
        "ESIGN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **(env or {}),
    }
    log = folder / f"serve-{port}.log"  # a file, not a pipe: a full pipe would block it
    with log.open("wb") as err:
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
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=folder,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"esign serve ended: {tail}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/api/v1/receipts", timeout=2).status_code in (401, 403):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("esign serve did not answer in 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def logged_in(url: str, who: tuple[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    answer = client.post("/api/v1/auth/login", json={"username": who[0], "password": who[1]})
    assert answer.status_code == 200, answer.text
    # A change authenticated by the session cookie carries the CSRF token (esign.http.csrf).
    client.headers["X-CSRF-Token"] = answer.headers["X-CSRF-Token"]
    return client
