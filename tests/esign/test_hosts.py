"""Two hosts on one PostgreSQL: two real ``esign serve`` processes on loopback, each with its
own port and app, sharing the database and the data folder (as two machines share them behind a
proxy). What one does the other must see at once: receipt numbers stay gapless across both, the
public rate limit is one budget, a certificate revoked through one is refused by the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from certs import Role, open_pki_folder
from tests.utils.postgres import PostgresServer
from tests.utils.servers import ADMIN, CLERK, logged_in, prepare_ward, serving

pytestmark = pytest.mark.postgres
PER_MINUTE = 60
_names = itertools.count()


@dataclass(frozen=True)
class Hosts:
    folder: Path
    a: str
    b: str


@pytest.fixture(scope="module")
def hosts(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    folder = tmp_path_factory.mktemp("two-hosts")
    url = pg_server.create_database(f"hosts_{next(_names)}")
    prepare_ward(folder, url)
    env = {"ESIGN_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE)}
    with serving(folder, url, env=env) as a, serving(folder, url, env=env) as b:
        yield Hosts(folder, a, b)


def _issue(client: httpx.Client, index: int) -> dict[str, object]:
    body = {
        "payer_name": f"Trần Thị Bình {index}",
        "payer_address": "Phường Văn An",
        "payment_method": "cash",
        "fees": {"procedure_code": "CT-BS", "pages": 1 + index % 4, "copies": 1},
    }
    answer = client.post("/api/v1/receipts", json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


def test_numbers_stay_gapless_with_clients_spread_over_two_hosts(hosts: Hosts) -> None:
    clients = [logged_in(url, CLERK) for url in (hosts.a, hosts.b) * 3]
    try:
        _issue_spread(clients)
    finally:
        for c in clients:
            c.close()


def _issue_spread(clients: list[httpx.Client]) -> None:
    made: list[dict[str, object]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        try:
            for i in range(4):
                receipt = _issue(clients[k], k * 10 + i)
                with lock:
                    made.append(receipt)
        except Exception as exc:  # a thread's failure is reported by the test, not lost
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len(made) == 24
    assert sorted(int(str(r["number"])) for r in made) == list(range(1, 25))
    for k, receipt in enumerate(made):  # each host serves what the other made, same bytes
        pdf = clients[k % 2].get(f"/api/v1/receipts/{receipt['id']}/pdf")
        assert hashlib.sha256(pdf.content).hexdigest() == receipt["pdf_sha256"]


def test_a_revocation_made_on_one_host_is_seen_by_the_other_at_once(hosts: Hosts) -> None:
    clerk, admin = logged_in(hosts.a, CLERK), logged_in(hosts.a, ADMIN)
    try:
        _revoke_and_check(hosts, clerk, admin)
    finally:
        clerk.close()
        admin.close()


def _revoke_and_check(hosts: Hosts, clerk: httpx.Client, admin: httpx.Client) -> None:
    receipt = _issue(clerk, 99)
    pdf = clerk.get(f"/api/v1/receipts/{receipt['id']}/pdf").content
    headers = {"Content-Type": "application/pdf"}
    before = httpx.post(hosts.b + "/api/v1/verify", content=pdf, headers=headers, timeout=60)
    assert before.status_code == 200 and before.json()["verdict"] == "valid", before.text

    seal = open_pki_folder(hosts.folder / "pki").only(Role.SEAL)
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    revoked = admin.post(
        f"/api/v1/certificates/{seal}/revoke",
        json={"reason": "key_compromise", "revoked_at": since},
    )
    assert revoked.status_code == 200, revoked.text

    after = httpx.post(hosts.b + "/api/v1/verify", content=pdf, headers=headers, timeout=60)
    assert after.status_code == 200, after.text
    assert after.json()["verdict"] != "valid", after.text


def test_the_public_rate_limit_is_one_budget_for_both_hosts(hosts: Hosts) -> None:
    started = time.monotonic()
    allowed = 0
    first_refused: str | None = None
    for i in range(4 * PER_MINUTE):
        host = (hosts.a, hosts.b)[i % 2]
        answer = httpx.get(f"{host}/v/khong-co-ma-nay-{i}", timeout=30)
        if answer.status_code == 429:
            first_refused = host
            break
        allowed += 1
    elapsed = time.monotonic() - started
    assert first_refused is not None, "never limited"
    # One bucket of PER_MINUTE, refilled at PER_MINUTE/60 a second; two per-process buckets
    # would have let about twice as many through.
    assert allowed <= PER_MINUTE + elapsed * PER_MINUTE / 60 + 1, (allowed, elapsed)
    # The other host has no fresh budget: it refuses too, after at most the tokens that came
    # back meanwhile (one a second), never the PER_MINUTE a bucket of its own would hold.
    other = hosts.b if first_refused == hosts.a else hosts.a
    started = time.monotonic()
    passed = 0
    while True:
        answer = httpx.get(f"{other}/v/khong-co-ma-nay-{passed}", timeout=30)
        if answer.status_code == 429:
            break
        passed += 1
        assert passed <= PER_MINUTE // 2, "the other host had a budget of its own"
    assert passed <= (time.monotonic() - started) * PER_MINUTE / 60 + 2, passed
    assert int(answer.headers["Retry-After"]) >= 1
