"""The same Idempotency-Key sent by several clients at once: one receipt, one number, every
client the same answer (PostgreSQL: the others wait on the key's unique index, then read the
stored answer; SQLite: writers are ordered by BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from esign.db.models import IdempotencyKey, Receipt
from tests.esign.api.conftest import Api

from .harness import body_for


def test_same_key_at_once_gives_one_receipt(api: Api) -> None:
    clerk = api.login("clerk")
    cookies = dict(clerk.cookies)
    csrf = {"X-CSRF-Token": clerk.headers["X-CSRF-Token"]}
    answers: list[tuple[int, dict[str, object]]] = []
    lock = threading.Lock()

    def send(key: str) -> None:
        client = TestClient(api.client.app, cookies=cookies, headers=csrf)
        r = client.post("/api/v1/receipts", json=body_for(key), headers={"Idempotency-Key": key})
        with lock:
            answers.append((r.status_code, r.json()))

    threads = [threading.Thread(target=send, args=(f"k-{i % 2}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == 6 and {status for status, _ in answers} == {201}
    by_key: dict[str, set[int]] = {}
    for _, body in answers:
        by_key.setdefault(str(body["payer_name"]), set()).add(int(str(body["id"])))
    assert all(len(ids) == 1 for ids in by_key.values()), by_key
    with api.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 2
        assert sorted(s.scalars(select(Receipt.number))) == [1, 2]
        assert s.scalar(select(func.count()).select_from(IdempotencyKey)) == 2
