"""The public page of a document (/v/<token>), its PDF, the seal keys, the server's seal check."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from esign.db.models import ScanRecord, StoredDocument
from esign.seal import verify_seal
from esign.web import flush_scans
from esign.web.render import CSP
from tests.utils import scheme_now

from .conftest import Web
from .forgery import forgeries, genuine_claims, withdrawn_seal
from .helpers import ADDRESS, OLD_SCHEME_DAY, PAYER, PAYER_MASKED


def _page_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def _private_data_absent(html: str) -> None:
    assert PAYER not in html and "Bùi Thị" not in html
    assert ADDRESS not in html and "Nguyễn Trãi" not in html


def test_valid_receipt(web: Web) -> None:
    r = web.issue()
    page = web.client.get(f"/v/{r.token}")
    assert page.status_code == 200
    html = page.text
    assert "Văn bản thật, đang có hiệu lực" in html
    assert PAYER_MASKED in html and "(đã che để bảo vệ thông tin cá nhân)" in html
    _private_data_absent(html)
    assert scheme_now.label(1) in html
    # Issued today: the unit in force since 1/7/2025 (NQ 1669/NQ-UBTVQH15 Điều 1 khoản 34).
    assert "Ủy ban nhân dân phường Chu Văn An" in html and "0800123456" in html
    assert "UBND phường Chu Văn An" in html and "Chữ ký hợp lệ" in html  # from the signed PDF
    # The download is a form the script fills with the seal and reveals: hidden without one.
    assert f'<form method="post" action="/v/{r.token}/pdf" id="download-form" hidden>' in html
    # What the page's script compares the seal with is exactly what the seal states.
    data = _page_data(html)
    claims = genuine_claims(web.service.keyring, r.seal, r.token)
    stated = {str(k): v.hex() if isinstance(v, bytes) else v for k, v in claims.to_map().items()}
    assert data["record"] == stated and data["token"] == r.token
    # Headers: nothing from other hosts, no inline script, never cached.
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert not re.search(r'(src|href)="(https?:)?//', html)
    english = web.client.get(f"/v/{r.token}", params={"lang": "en"}).text
    assert "Genuine and valid" in english and "Fee receipt" in english
    assert f'action="/v/{r.token}/pdf?lang=en"' in english


def test_cancelled_receipt(web: Web) -> None:
    r = web.issue()
    web.cancel(r, "Thu sai số tiền, đã hoàn trả", code="sai_so_tien")
    html = web.client.get(f"/v/{r.token}").text
    assert "ĐÃ HỦY — không còn giá trị" in html
    # The public sees the fixed-list reason, never the clerk's words.
    assert 'id="cancel-reason" data-code="sai_so_tien">Sai số tiền<' in html
    assert "Thu sai số tiền, đã hoàn trả" not in html and "hoàn trả" not in html
    assert re.search(r'id="cancel-date">\d\d:\d\d \d\d/\d\d/\d{4} \(GMT\+7\)<', html)
    assert "Văn bản thật" not in html
    _private_data_absent(html)
    assert "CANCELLED — no longer valid" in web.client.get(f"/v/{r.token}?lang=en").text


def test_replaced_receipt_links_both_ways(web: Web) -> None:
    old = web.issue()
    new = web.replace(old, "Ghi sai số trang")
    html = web.client.get(f"/v/{old.token}").text
    assert "ĐÃ BỊ THAY THẾ" in html
    assert f'id="replaced-by" href="/v/{new.token}">{scheme_now.label(2)}<' in html
    page = web.client.get(f"/v/{new.token}").text
    assert "Văn bản thật, đang có hiệu lực" in page
    assert f'id="replaces" href="/v/{old.token}">{scheme_now.label(1)}<' in page
    assert "Ghi sai số trang" not in page and 'data-code="khac"' in page


def test_adjusted_receipt(web_sqlite: Web) -> None:
    web = web_sqlite
    old = web.issue(issued_at=OLD_SCHEME_DAY)  # adjustments: NĐ 123/2020 receipts only
    new = web.adjust(old, "Thu thiếu một bản sao")
    html = web.client.get(f"/v/{old.token}").text
    assert "Văn bản thật, đã được điều chỉnh" in html
    # The adjustment receipt is issued today, under today's scheme and series.
    assert f'href="/v/{new.token}">{scheme_now.label(1)}<' in html
    page = web.client.get(f"/v/{new.token}").text
    assert f'id="adjusts" href="/v/{old.token}"' in page and "Thu thiếu một bản sao" not in page


def test_pdf_download_is_the_stored_original(web_sqlite: Web) -> None:
    web = web_sqlite
    r = web.issue()
    pdf = web.client.post(f"/v/{r.token}/pdf", data={"seal": r.seal})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-content-sha256"] == r.sha256
    assert (
        f'filename="bien-lai-{scheme_now.SERIES}-{scheme_now.number(1)}.pdf"'
        in pdf.headers["content-disposition"]
    )
    with web.service.db.reading() as s:
        stored = s.scalar(select(StoredDocument.content).where(StoredDocument.sha256 == r.sha256))
    assert pdf.content == stored
    unknown = web.client.get("/v/AAAAAAAAAAAAAAAAAAAAAA/pdf")
    assert unknown.status_code == 404
    assert unknown.content == web.client.get("/v/AAAAAAAAAAAAAAAAAAAAAA").content
    posted = web.client.post("/v/AAAAAAAAAAAAAAAAAAAAAA/pdf", data={"seal": r.seal})
    assert posted.status_code == 404 and posted.content == unknown.content


def test_scans_are_recorded_without_personal_data(web: Web) -> None:
    r = web.issue()
    web.cancel(r, "Nộp nhầm")
    web.client.get(f"/v/{r.token}")
    web.client.get(f"/v/{r.token}?lang=en")
    web.client.get("/v/AAAAAAAAAAAAAAAAAAAAAA")
    web.client.get("/v/Bùi Thị Trang, số 12 ngõ 4")
    web.client.get(f"/v/{r.token}/pdf")  # a download is not a scan
    flush_scans(web.client.app)  # scans are written in batches, after the answer
    with web.service.db.reading() as s:
        rows = [(x.token, x.result, x.at) for x in s.scalars(select(ScanRecord).order_by("id"))]
    assert [(t, res) for t, res, _ in rows] == [
        (r.token, "cancelled"),
        (r.token, "cancelled"),
        ("AAAAAAAAAAAAAAAAAAAAAA", "unknown"),
        ("", "malformed"),  # what was typed is not kept: it could be anything
    ]
    assert all(at is not None and at.tzinfo is not None for _, _, at in rows)
    assert set(ScanRecord.__table__.columns.keys()) == {"id", "at", "token", "result"}


def test_published_keys_follow_the_keyring_folder(web_sqlite: Web) -> None:
    web = web_sqlite
    r = web.issue()
    keys = web.client.get("/.well-known/esign-seal-keys.json")
    assert keys.status_code == 200 and keys.headers["content-type"] == "application/json"
    assert keys.json() == web.service.keyring.published()
    assert all("d" not in k for k in keys.json()["keys"])  # no private part
    claims = genuine_claims(web.service.keyring, r.seal, r.token)
    # Withdrawn by another process (another Keyring object over the same folder): seen at once.
    seal = withdrawn_seal(web.service.keyring.folder, claims, r.token)
    statuses = [
        k["status"] for k in web.client.get("/.well-known/esign-seal-keys.json").json()["keys"]
    ]
    assert statuses == ["retired", "withdrawn", "active"]
    answer = web.client.post(f"/v/{r.token}/seal", json={"seal": seal}).json()
    assert answer["genuine"] is False and answer["verdict"] == "withdrawn_key"
    # The first key is only retired: the printed seal still verifies.
    still = web.client.post(f"/v/{r.token}/seal", json={"seal": r.seal}).json()
    assert still["genuine"] is True and still["key_status"] == "retired"


def test_server_side_seal_check(web_sqlite: Web, tmp_path_factory: pytest.TempPathFactory) -> None:
    web = web_sqlite
    r = web.issue()
    other = web.issue(payer="Trần Văn Nam")
    genuine = web.client.post(f"/v/{r.token}/seal", json={"seal": r.seal})
    assert genuine.status_code == 200
    assert genuine.json() == {
        "genuine": True,
        "verdict": "genuine",
        "reason_vi": "Hợp lệ",
        "reason_en": "genuine",
        "kid": web.service.keyring.active.kid,
        "key_status": "active",
        "mismatches": [],
    }
    cases = forgeries(
        web.service.keyring,
        seal=r.seal,
        token=r.token,
        other_seal=other.seal,
        attacker=tmp_path_factory.mktemp("attacker"),
    )
    for name, (seal, verdict) in cases.items():
        answer = web.client.post(f"/v/{r.token}/seal", json={"seal": seal}).json()
        assert (answer["genuine"], answer["verdict"]) == (False, verdict), name
    assert (
        cases["facts_differ"][0]
        and verify_seal(
            cases["facts_differ"][0], published_keys=web.service.keyring.published(), token=r.token
        ).ok
    )  # the signature holds: only the comparison with the record catches it
    mismatch = web.client.post(f"/v/{r.token}/seal", json={"seal": cases["facts_differ"][0]})
    assert mismatch.json()["mismatches"] == ["total"]
    unknown = web.client.post("/v/AAAAAAAAAAAAAAAAAAAAAA/seal", json={"seal": r.seal})
    assert unknown.status_code == 404
    bad = web.client.post(f"/v/{r.token}/seal", content=b'{"seal": ' + b"1" * 5000 + b"}")
    assert bad.status_code == 422
