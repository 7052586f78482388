from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from esign import audit
from esign.db.models import Receipt, ReceiptCounter
from esign.signing.report import Verdict
from esign.signing.verify import verify
from tests.esign.law.helpers import issue as issue_on
from tests.utils import scheme_now

from .conftest import Api

DOSSIER = {
    "procedure_code": "HT-XNTTHN",
    "applicant_name": "Bùi Thị Trang",
    "applicant_address": "Khu dân cư Văn An 1, phường Văn An",
}


def _dossier(api: Api, clerk, **extra) -> int:  # type: ignore[no-untyped-def]
    r = clerk.post("/api/v1/dossiers", json={**DOSSIER, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _free(procedure: str = "CT-BS", **fees: Any) -> dict[str, Any]:
    return {
        "payer_name": "Nguyễn Văn Bình",
        "payer_address": "Số 5 đường Trần Hưng Đạo, phường Văn An",
        "payment_method": "cash",
        "fees": {"procedure_code": procedure, **fees},
    }


def test_issue_for_a_dossier_signed_and_verifiable(api: Api) -> None:
    clerk = api.login("clerk")
    dossier_id = _dossier(api, clerk)
    r = clerk.post(
        "/api/v1/receipts",
        json={
            "payer_name": "Bùi Thị Trang",
            "payer_address": "Văn An 1",
            "payment_method": "bank_transfer",
            "dossier_id": dossier_id,
        },
    )
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["number"] == 1 and receipt["series"] == scheme_now.SERIES
    assert receipt["total"] == 15_000 and receipt["status"] == "issued"
    assert len(receipt["token"]) >= 22 and receipt["verify_url"].endswith(receipt["token"])
    assert clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["status"] == "fee_paid"
    pdf = clerk.get(f"/api/v1/receipts/{receipt['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    report = verify(
        pdf.content, trust=api.service.trust, expected_sha256=receipt["pdf_sha256"], isolate=False
    )
    assert report.verdict is Verdict.VALID, report.message_en
    assert report.matches_record is True
    assert report.signatures[0].signer_name == "UBND phường Chu Văn An"
    # A second receipt for the same dossier is refused: it is paid.
    again = clerk.post(
        "/api/v1/receipts",
        json={
            "payer_name": "Bùi Thị Trang",
            "payer_address": "Văn An 1",
            "payment_method": "cash",
            "dossier_id": dossier_id,
        },
    )
    assert again.status_code == 409


def test_free_standing_fee_and_numbers_follow(api: Api) -> None:
    clerk = api.login("clerk")
    first = clerk.post("/api/v1/receipts", json=_free(pages=3, copies=2)).json()
    second = clerk.post("/api/v1/receipts", json=_free("CT-CK", cases=2)).json()
    assert (first["number"], second["number"]) == (1, 2)
    assert first["total"] == 10_000 and second["total"] == 20_000
    assert first["lines"][0]["legal_basis"].startswith("Thông tư 226/2016")
    listed = clerk.get("/api/v1/receipts", params={"limit": 1}).json()
    assert listed["count"] == 2 and len(listed["data"]) == 1


def test_idempotent_retry_and_reused_key(api: Api) -> None:
    clerk = api.login("clerk")
    headers = {"Idempotency-Key": "quay-1-2026-11-27-0001"}
    a = clerk.post("/api/v1/receipts", json=_free(pages=1), headers=headers)
    b = clerk.post("/api/v1/receipts", json=_free(pages=1), headers=headers)
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    other = clerk.post("/api/v1/receipts", json=_free(pages=2), headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    with api.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 1


def test_request_in_flight_gets_409(api: Api) -> None:
    from esign.api.routes.receipts import ReceiptCreate
    from esign.db.models import IdempotencyKey
    from esign.workflows.idempotency import request_hash

    body = _free(pages=1)
    with api.service.db.transaction() as s:
        s.add(
            IdempotencyKey(
                key="k-inflight",
                user_id=api.users["clerk"],
                request_sha256=request_hash(
                    ReceiptCreate.model_validate(body).model_dump(mode="json")
                ),
                state="in_flight",
            )
        )
    r = api.login("clerk").post(
        "/api/v1/receipts", json=body, headers={"Idempotency-Key": "k-inflight"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_in_flight"


def test_failure_after_numbering_leaves_no_number_used(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = api.login("clerk", raise_server_exceptions=False)
    signer = api.service.seal_signer

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the token was pulled out")

    monkeypatch.setattr(signer, "certify", broken)
    r = clerk.post("/api/v1/receipts", json=_free(pages=1))
    assert r.status_code == 500 and "Traceback" not in r.text
    monkeypatch.undo()
    with api.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 0
        assert (s.scalar(select(ReceiptCounter.last_number)) or 0) == 0
    ok = clerk.post("/api/v1/receipts", json=_free(pages=1))
    assert ok.status_code == 201 and ok.json()["number"] == 1


def test_cancel_replace_adjust_are_linked_both_ways(api: Api) -> None:
    clerk = api.login("clerk")
    a = clerk.post("/api/v1/receipts", json=_free(pages=3)).json()
    b = clerk.post("/api/v1/receipts", json=_free(pages=3)).json()
    # Adjustment receipts exist only for receipts issued under NĐ 123/2020 (TT 91/2026 Điều 20
    # has none): c was issued on 30/6/2026; one issued today cannot be adjusted.
    c_row = issue_on(api, dt.date(2026, 6, 30))
    c = {"id": c_row.id, "number": c_row.number}
    today = clerk.post("/api/v1/receipts", json=_free(pages=3)).json()
    refused = clerk.post(
        f"/api/v1/receipts/{today['id']}/adjust", json={"kind": "information", "reason": "x"}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "adjustment_not_allowed"
    # Cancel needs a reason.
    assert clerk.post(f"/api/v1/receipts/{a['id']}/cancel", json={"reason": ""}).status_code == 422
    cancelled = clerk.post(
        f"/api/v1/receipts/{a['id']}/cancel", json={"reason": "Thu nhầm người nộp"}
    ).json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Thu nhầm người nộp"
    assert clerk.post(f"/api/v1/receipts/{a['id']}/cancel", json={"reason": "x"}).status_code == 409
    # Replace: a new number, both point to each other.
    new = clerk.post(
        f"/api/v1/receipts/{b['id']}/replace",
        json={
            "reason": "Sai tên người nộp",
            "payer_name": "Nguyễn Văn Bính",
        },
    )
    assert new.status_code == 201, new.text
    new = new.json()
    assert new["replaces_id"] == b["id"] and new["payer_name"] == "Nguyễn Văn Bính"
    old = clerk.get(f"/api/v1/receipts/{b['id']}").json()
    assert old["status"] == "replaced" and old["replaced_by_id"] == new["id"]
    # A replaced receipt cannot be adjusted or replaced again.
    for path, body in (
        ("/replace", {"reason": "lần nữa"}),
        ("/adjust", {"kind": "information", "reason": "x"}),
    ):
        assert clerk.post(f"/api/v1/receipts/{b['id']}{path}", json=body).status_code == 409
    # Adjust up: a new receipt with the difference, linked.
    up = clerk.post(
        f"/api/v1/receipts/{c['id']}/adjust",
        json={
            "kind": "increase",
            "reason": "Thiếu 2 trang",
            "fees": {
                "lines": [
                    {
                        "name": "Phí chứng thực bản sao (bổ sung 2 trang)",
                        "legal_basis": "Thông tư 226/2016/TT-BTC",
                        "quantity": 2,
                        "unit_price": 1000,
                        "amount": 2000,
                    }
                ]
            },
        },
    )
    assert up.status_code == 201, up.text
    assert up.json()["adjusts_id"] == c["id"] and up.json()["total"] == 2000
    assert up.json()["adjustment_kind"] == "increase"
    c_now = clerk.get(f"/api/v1/receipts/{c['id']}").json()
    assert c_now["status"] == "adjusted" and c_now["adjusted_by_ids"] == [up.json()["id"]]
    # The adjustment receipt's PDF names the receipt it adjusts.
    pdf = clerk.get(f"/api/v1/receipts/{up.json()['id']}/pdf").content
    import pypdfium2

    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert f"{c['number']:07d}" in text
    with api.service.db.reading() as s:
        assert audit.verify(s).ok
        actions = [e.action for e in s.scalars(select(__import__("esign").db.models.AuditEntry))]
    assert {"receipt.issue", "receipt.cancel", "receipt.replace", "receipt.adjust"} <= set(actions)


def test_bad_input_is_a_clear_error(api: Api) -> None:
    clerk = api.login("clerk")
    cases = [
        ({**_free(pages=1), "payer_name": "Bùi\x00Trang"}, 422),
        ({**_free(pages=1), "payment_method": "bitcoin"}, 422),
        (_free("CT-XX", pages=1), 422),
        (_free(pages=0), 422),
        (
            {
                **_free(),
                "fees": {
                    "lines": [
                        {
                            "name": "x",
                            "legal_basis": "y",
                            "quantity": 1,
                            "unit_price": 5,
                            "amount": -5,
                        }
                    ]
                },
            },
            422,
        ),
        ({**_free(), "fees": None}, 422),
    ]
    for body, status in cases:
        r = clerk.post("/api/v1/receipts", json=body)
        assert r.status_code == status, (body, r.text)
        err = r.json()["error"]
        assert err["code"] and err["message_vi"] and err["message_en"]
    with api.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 0


@pytest.mark.slow
def test_200_concurrent_receipts_are_numbered_without_gaps(api: Api) -> None:
    clerk = api.login("clerk")
    cookies = dict(clerk.cookies)
    numbers: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        from fastapi.testclient import TestClient

        csrf = {"X-CSRF-Token": clerk.headers["X-CSRF-Token"]}
        client = TestClient(api.client.app, cookies=cookies, headers=csrf)
        for _ in range(n):
            r = client.post("/api/v1/receipts", json=_free("CT-CK", cases=1))
            with lock:
                if r.status_code == 201:
                    numbers.append(r.json()["number"])
                else:
                    errors.append(r.text)

    threads = [threading.Thread(target=worker, args=(25,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert sorted(numbers) == list(range(1, 201))
    with api.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 200
        assert audit.verify(s).ok
