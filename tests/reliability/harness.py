"""The crash loop: a real ``esign serve`` subprocess killed with SIGKILL and restarted while
clients issue receipts with their own ``Idempotency-Key`` and retry on any failure; then the
checks (no gap, no duplicate number, no request with two receipts, every success findable,
every PDF valid by our verifier, the audit chain intact by ``esign audit verify``).

Used by ``tests/reliability/test_crash_loop.py`` (short, in CI) and by
``python -m tests.reliability.soak`` (minutes, by hand). Loopback only.
"""

from __future__ import annotations

import collections
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from esign.config import Settings
from esign.db import Database
from esign.db.models import IdempotencyKey, Receipt, StoredDocument, User, UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.signing.report import Verdict
from esign.signing.verify import verify
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.users import create_api_token, create_user
from receipts.catalog import default_catalog

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    """A data folder and database with the demo ward, and the clerk's API token."""

    data_dir: Path
    database_url: str
    token: str = ""

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            ESIGN_DATA_DIR=str(self.data_dir),
            ESIGN_DATABASE_URL=self.database_url,
            ESIGN_SIGNING_LEVEL=PadesLevel.B_T.value,
            PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        )
        return env

    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            signing_level=PadesLevel.B_T,
        )


def prepare(site: Site, *, pki_template: Path | None = None) -> Site:
    """A ward with a clerk (``ketoan``) and the clerk's API token: the
    demo ward (``esign serve --demo``'s setup), or with a copied test PKI when given (no key
    generation) its series and clerk alone."""
    from esign.demo import setup_demo

    site.data_dir.mkdir(parents=True, exist_ok=True)
    if pki_template is not None and not (site.data_dir / "pki").exists():
        shutil.copytree(pki_template, site.data_dir / "pki")
    service = Service.from_settings(site.settings())
    try:
        if pki_template is None:
            setup_demo(service)
        else:
            # No series to register: the law sets the year's series (NĐ 254/2026).
            with service.db.transaction() as s:
                create_user(
                    s,
                    SYSTEM,
                    username="ketoan",
                    full_name="Lê Thị Thu",
                    role=UserRole.CLERK,
                    password=secrets.token_urlsafe(16),
                )
        with service.db.transaction() as s:
            clerk = s.scalar(select(User).where(User.username == "ketoan"))
            assert clerk is not None
            _, site.token = create_api_token(
                s, Actor.of(clerk), name="crash-loop", scopes=("receipts",), days=1
            )
    finally:
        service.close()
    return site


@dataclass
class Server:
    """``esign serve`` in its own process group (its verifier fork server dies with it)."""

    site: Site
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60) -> None:
        log = open(self.site.data_dir / "serve.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "esign", "serve", "--port", str(self.port)],
            env=self.site.env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log_tail())
            try:
                if httpx.get(self.url + "/api/v1/auth/me", timeout=1).status_code in (200, 401):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("esign serve did not start:\n" + self.log_tail())

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown handler runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        path = self.site.data_dir / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def body_for(key: str) -> dict[str, object]:
    """One request's body: the payer names the key, so a second receipt for it is visible."""
    return {
        "payer_name": f"Khách {key}",
        "payer_address": "Văn An, Chí Linh",
        "payment_method": "cash",
        "fees": {"procedure_code": "CT-BS", "pages": 1 + len(key) % 3, "copies": 1},
    }


@dataclass
class Outcome:
    successes: dict[str, dict[str, object]] = field(default_factory=dict)
    """Idempotency-Key → the 201 answer the client finally got."""
    attempts: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    """Every answer's status (0: no answer, the server was down)."""
    last_failure: str = ""
    refused: list[str] = field(default_factory=list)
    """Answers that are neither success nor a retryable failure (must stay empty)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


RETRYABLE = {409, 500, 502, 503, 504}


def client_loop(
    server: Server,
    token: str,
    name: str,
    requests: int,
    outcome: Outcome,
    *,
    give_up: float,
    stop_at: float | None = None,
) -> None:
    """Issue ``requests`` receipts (fewer when ``stop_at`` passes: no new key after it), each
    retried with its key until it succeeds."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as http:
        for i in range(requests):
            if stop_at is not None and time.monotonic() > stop_at:
                break
            key = f"{name}-{i:05d}"
            while time.monotonic() < give_up:
                with outcome.lock:
                    outcome.attempts[key] += 1
                try:
                    r = http.post(
                        server.url + "/api/v1/receipts",
                        json=body_for(key),
                        headers={**headers, "Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    with outcome.lock:
                        outcome.statuses[0] += 1
                    time.sleep(0.1 + random.random() * 0.2)
                    continue
                with outcome.lock:
                    outcome.statuses[r.status_code] += 1
                    if r.status_code != 201:
                        outcome.last_failure = f"{r.status_code} {r.text[:300]}"
                if r.status_code == 201:
                    with outcome.lock:
                        outcome.successes[key] = r.json()
                    break
                if r.status_code in RETRYABLE:
                    time.sleep(0.1 + random.random() * 0.2)
                    continue
                with outcome.lock:
                    outcome.refused.append(f"{key}: {r.status_code} {r.text[:200]}")
                break


def crash_loop(
    server: Server,
    *,
    clients: int,
    requests: int,
    kills: int,
    between: tuple[float, float] = (0.4, 1.2),
    on_kill: Callable[[int], None] | None = None,
    deadline: float = 600,
    seconds: float | None = None,
) -> Outcome:
    """Clients issue while the server is killed ``kills`` times, spread over their progress
    (``on_kill(i)`` runs while it is down: restart PostgreSQL there); returns when every client
    is done. With ``seconds`` the clients start no new request after that time and the kills
    go on until then, every ``between`` seconds."""
    outcome = Outcome()
    give_up = time.monotonic() + deadline
    stop_at = time.monotonic() + seconds if seconds is not None else None
    server.start()
    threads = [
        threading.Thread(
            target=client_loop,
            args=(server, server.site.token, f"c{c}", requests, outcome),
            kwargs={"give_up": give_up, "stop_at": stop_at},
            daemon=True,
        )
        for c in range(clients)
    ]
    for t in threads:
        t.start()
    total = clients * requests
    try:
        k = 0
        while k < kills or (stop_at is not None and time.monotonic() < stop_at):
            if stop_at is None:
                # Kill at points of progress, not of time: on a fast machine the clients would
                # otherwise finish before the last kill. The k-th kill waits for k/(kills+2) of
                # the requests, so each one falls while requests remain (the clients cannot
                # progress while the server is down).
                due = total * (k + 1) // (kills + 2)
                while len(outcome.successes) < due and any(t.is_alive() for t in threads):
                    time.sleep(0.02)
                time.sleep(random.uniform(0, 0.1))
            else:
                time.sleep(random.uniform(*between))
            if not any(t.is_alive() for t in threads):
                break
            server.kill()
            if on_kill is not None:
                on_kill(k)
            server.start()
            k += 1
        for t in threads:
            t.join(max(1.0, give_up - time.monotonic()))
    finally:
        server.stop()
    return outcome


@dataclass(frozen=True)
class Findings:
    receipts: int
    requests: int
    retries: int
    starts: int
    problems: tuple[str, ...]


def check(site: Site, outcome: Outcome, *, expected: int, starts: int) -> Findings:
    """Everything the crash loop must keep; ``problems`` lists what it did not."""
    problems: list[str] = list(outcome.refused)
    service = Service(
        settings=site.settings(), db=Database(site.database_url), catalog=default_catalog("HD")
    )
    try:
        with service.db.reading() as s:
            receipts = list(s.scalars(select(Receipt).order_by(Receipt.id)))
            keys = {k.key: k for k in s.scalars(select(IdempotencyKey))}
            docs = {d.id: d for d in s.scalars(select(StoredDocument))}
        if len(outcome.successes) != expected:
            problems.append(f"{expected - len(outcome.successes)} requests never succeeded")
        by_series: dict[tuple[str, str, int], list[int]] = collections.defaultdict(list)
        for r in receipts:
            by_series[(r.template_symbol, r.series, r.year)].append(r.number)
        for series, numbers in by_series.items():
            if sorted(numbers) != list(range(1, len(numbers) + 1)):
                problems.append(f"numbers of {series} not 1..{len(numbers)}: gap or duplicate")
        per_payer = collections.Counter(r.payer_name for r in receipts)
        twice = [p for p, n in per_payer.items() if n > 1]
        if twice:
            problems.append(f"{len(twice)} requests with two receipts: {twice[:3]}")
        by_id = {r.id: r for r in receipts}
        for key, answer in outcome.successes.items():
            found = by_id.get(int(str(answer["id"])))
            if found is None or found.number != answer["number"] or found.token != answer["token"]:
                problems.append(f"{key}: the receipt answered is not the one stored")
            elif found.payer_name != f"Khách {key}":
                problems.append(f"{key}: answered with another request's receipt")
            if key not in keys or keys[key].state != "done":
                problems.append(f"{key}: its key's answer is not stored")
        if len(receipts) != len(outcome.successes):
            problems.append(f"{len(receipts)} receipts for {len(outcome.successes)} requests")
        trust = service.trust
        for r in receipts:
            doc = docs.get(r.document_id)
            if doc is None:
                problems.append(f"receipt {r.id} has no document")
                continue
            report = verify(doc.content, trust=trust, expected_sha256=doc.sha256, isolate=False)
            if report.verdict is not Verdict.VALID:
                problems.append(f"receipt {r.id}: {report.verdict} {report.message_en}")
    finally:
        service.close()
    audit = subprocess.run(
        [sys.executable, "-m", "esign", "audit", "verify"],
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if audit.returncode != 0:
        problems.append(f"esign audit verify: {audit.returncode} {audit.stdout} {audit.stderr}")
    retries = sum(outcome.attempts.values()) - len(outcome.attempts)
    return Findings(
        receipts=len(receipts),
        requests=expected,
        retries=retries,
        starts=starts,
        problems=tuple(problems),
    )


__all__ = ["Findings", "Outcome", "Server", "Site", "check", "crash_loop", "prepare"]
