"""A clerk cannot seal a receipt for any fee name, legal basis and amount (issue 12): lines come
from the catalog's quote, or are typed by a role allowed to, with a reason in the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from esign.db.models import AuditEntry, Receipt

from .conftest import Api

LINE_KEYS = ("name", "legal_basis", "quantity", "unit_price", "amount", "exemption_reason")


def _body(procedure: str | None, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    fees: dict[str, Any] = {"lines": lines, **extra}
    if procedure:
        fees["procedure_code"] = procedure
    return {
        "payer_name": "Nguyễn Văn Bình",
        "payer_address": "Phường Văn An",
        "payment_method": "cash",
        "fees": fees,
    }


def _quoted(api: Api, procedure: str, **inputs: int) -> list[dict[str, Any]]:
    r = api.login("clerk").post("/api/v1/quotes", json={"procedure_code": procedure, **inputs})
    assert r.status_code == 200, r.text
    return [{k: line.get(k) for k in LINE_KEYS} for line in r.json()["lines"]]


def _receipts(api: Api) -> int:
    with api.service.db.reading() as s:
        return s.scalar(select(func.count()).select_from(Receipt)) or 0


def test_hand_typed_lines_are_refused_for_a_clerk(api: Api) -> None:
    clerk = api.login("clerk")
    quoted = _quoted(api, "CT-BS", pages=3)
    forged = [
        (
            None,
            [
                {
                    "name": "Phí bất kỳ",
                    "legal_basis": "Không",
                    "quantity": 1,
                    "unit_price": 5_000_000,
                    "amount": 5_000_000,
                }
            ],
        ),
        (
            "CT-BS",
            [
                {
                    **quoted[0],
                    "amount": quoted[0]["amount"] * 10,
                    "unit_price": quoted[0]["unit_price"] * 10,
                }
            ],
        ),
        ("CT-BS", [{**quoted[0], "legal_basis": "Nghị quyết tự đặt"}]),
        ("CT-BS", [*quoted, *quoted]),
    ]
    for procedure, lines in forged:
        r = clerk.post("/api/v1/receipts", json=_body(procedure, lines, pages=3))
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "free_fee_line_refused"
    assert _receipts(api) == 0
    # The catalog's own quote, echoed back, is issued.
    ok = clerk.post("/api/v1/receipts", json=_body("CT-BS", quoted, pages=3))
    assert ok.status_code == 201, ok.text
    assert ok.json()["total"] == sum(line["amount"] for line in quoted)


def test_a_role_allowed_to_type_lines_gives_a_reason_that_is_audited(api: Api) -> None:
    api.service.settings.free_fee_line_roles = ["clerk"]
    clerk = api.login("clerk")
    line = {
        "name": "Phí sao lục hồ sơ cũ",
        "legal_basis": "Quyết định 12/2026/QĐ-UBND",
        "quantity": 2,
        "unit_price": 7_000,
        "amount": 14_000,
    }
    r = clerk.post("/api/v1/receipts", json=_body(None, [line]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "free_fee_line_reason"
    reason = "Phí theo quyết định mới của tỉnh, chưa có trong danh mục"
    r = clerk.post("/api/v1/receipts", json=_body(None, [line], free_line_reason=reason))
    assert r.status_code == 201, r.text
    with api.service.db.reading() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "receipt.free_lines"))
        details = [e.details for e in entries]
    assert len(details) == 1 and reason in details[0] and "14000" in details[0]
