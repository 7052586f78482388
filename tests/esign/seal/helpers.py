"""Shared test data (a realistic receipt) and tools to forge tampered seals."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import cbor2

from esign.seal import DocumentKind, SealClaims, encoding, mask_name

HOST = "https://vanan.chilinh.haiduong.gov.vn"
"""A realistic public host (37 characters); the QR size measurements depend on it."""

TOKEN = "Qm9vLWJhci1iYXotcXV4AA"
"""Shaped like ``secrets.token_urlsafe(16)``: 22 characters."""


def receipt_claims(**changes: object) -> SealClaims:
    fields: dict[str, object] = {
        "unit_tax_code": "0800123456",
        "kind": DocumentKind.RECEIPT,
        "template_symbol": "01BLP0-001",
        "series": "VA-26E",
        "number": 1234,
        "issued_on": dt.date(2026, 11, 27),
        "total": 150_000,
        "payer_masked": mask_name("Bùi Thị Trang"),
        "pdf_sha256": hashlib.sha256(b"%PDF-1.7 receipt 0001234").digest(),
    }
    fields.update(changes)
    return SealClaims(**fields)  # type: ignore[arg-type]


def result_claims() -> SealClaims:
    return SealClaims(
        unit_tax_code="0800123456",
        kind=DocumentKind.RESULT,
        number="15/2026/XNTTHN",
        issued_on=dt.date(2026, 11, 27),
        payer_masked=mask_name("Nguyễn Văn Đức"),
        pdf_sha256=hashlib.sha256(b"%PDF-1.7 result").digest(),
    )


def unpack(seal: str) -> tuple[bytes, dict[int, Any], bytes, bytes]:
    """(protected header bytes, payload map, payload bytes, signature) of a seal."""
    tag = cbor2.loads(encoding.from_text(seal))
    protected, _, payload, signature = tag.value
    return protected, dict(cbor2.loads(payload)), payload, signature


def pack(protected: bytes, payload: bytes, signature: bytes) -> str:
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]), canonical=True)
    return encoding.to_text(cose)


def with_fields(seal: str, **fields: Any) -> str:
    """The same seal, its payload re-encoded with some fields changed, the old signature kept."""
    protected, claims, _, signature = unpack(seal)
    for key, value in fields.items():
        claims[int(key.removeprefix("f"))] = value
    return pack(protected, cbor2.dumps(claims, canonical=True), signature)
