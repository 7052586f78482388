"""Corrections under TT 91/2026 Điều 20, through the API: a notice 04/SS-CTĐT for an error that
is not in the amount or the tax code (recorded, signed XML, no new receipt); a replacement for
those two; no adjustment receipt for a receipt of the new scheme. And the XML original's
download beside the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from esign.db.models import Receipt, ReceiptStatus
from esign.workflows.notices import list_notices
from esign.workflows.xml_original import seal_key_store, xml_original_of
from receipts.calendar import VIETNAM_TZ
from receipts.xml import notice_schema_errors, verify_notice_xml
from tests.esign.api.conftest import Api

from .helpers import issue

XMLSEC1 = shutil.which("xmlsec1")


@pytest.mark.parametrize("kind", ["payer_name", "payer_address", "amount_in_words", "other"])
def test_a_notice_for_other_errors(law_api: Api, tmp_path: Path, kind: str) -> None:
    receipt = issue(law_api, dt.date(2026, 10, 5))
    clerk = law_api.login("clerk")
    r = clerk.post(
        f"/api/v1/receipts/{receipt.id}/notices",
        json={
            "error_kind": kind,
            "description": "Ghi sai: Bùi Thị Trang; đúng: Bùi Thị Thu Trang",
            "notified_to": "Gọi điện 0912 345 678",
        },
    )
    assert r.status_code == 201, r.text
    notice = r.json()
    assert notice["error_kind"] == kind and notice["receipt_id"] == receipt.id
    listed = clerk.get(f"/api/v1/receipts/{receipt.id}/notices").json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == notice["id"]
    xml = clerk.get(f"/api/v1/notices/{notice['id']}/xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert hashlib.sha256(xml.content).hexdigest() == notice["sha256"]
    assert notice_schema_errors(xml.content) == ()
    assert b"<MSo>04/SS-CT\xc4\x90T</MSo>" in xml.content
    assert f"<LSSot>{kind}</LSSot>".encode() in xml.content
    check = verify_notice_xml(xml.content, certificate=seal_key_store(law_api.service).certificate)
    assert check.valid, check.reasons
    assert XMLSEC1 is not None
    (tmp_path / "n.xml").write_bytes(xml.content)
    done = subprocess.run(
        [
            XMLSEC1,
            "--verify",
            "--id-attr:Id",
            "DLTBao",
            "--pubkey-cert-pem",
            "/dev/stdin",
            str(tmp_path / "n.xml"),
        ],
        input=seal_key_store(law_api.service).certificate.public_bytes(Encoding.PEM).decode(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # No new receipt; the receipt stays issued and unchanged.
    with law_api.service.db.transaction() as s:
        assert s.query(Receipt).count() == 1
        row = s.get(Receipt, receipt.id)
        assert row is not None and row.status is ReceiptStatus.ISSUED
        assert row.snapshot == receipt.snapshot
        today = dt.datetime.now(VIETNAM_TZ).date()
        assert [n.id for n in list_notices(s, day=today)] == [notice["id"]]


@pytest.mark.parametrize("kind", ["amount", "tax_code"])
def test_amount_and_tax_code_need_a_replacement(law_api: Api, kind: str) -> None:
    receipt = issue(law_api, dt.date(2026, 10, 5))
    clerk = law_api.login("clerk")
    r = clerk.post(
        f"/api/v1/receipts/{receipt.id}/notices",
        json={"error_kind": kind, "description": "Sai", "notified_to": "Trực tiếp"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "replacement_required", r.text
    r = clerk.post(f"/api/v1/receipts/{receipt.id}/replace", json={"reason": "Sai số tiền"})
    assert r.status_code == 201, r.text
    assert r.json()["template_symbol"] == "EBL01"


def test_old_scheme_receipts_keep_their_corrections(law_api: Api) -> None:
    """Before 1/7/2026 (NĐ 123/2020): adjustment, no notice; after: notice, no adjustment."""
    old = issue(law_api, dt.date(2026, 6, 15))
    new = issue(law_api, dt.date(2026, 7, 15))
    clerk = law_api.login("clerk")
    body = {"error_kind": "payer_name", "description": "Sai tên", "notified_to": "Trực tiếp"}
    r = clerk.post(f"/api/v1/receipts/{old.id}/notices", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "notice_not_allowed"
    adjust = {"kind": "information", "reason": "Sai tên người nộp"}
    r = clerk.post(f"/api/v1/receipts/{new.id}/adjust", json=adjust)
    assert r.status_code == 422 and r.json()["error"]["code"] == "adjustment_not_allowed", r.text
    r = clerk.post(f"/api/v1/receipts/{old.id}/adjust", json=adjust)
    assert r.status_code == 201, r.text
    adjusted = clerk.get(f"/api/v1/receipts/{old.id}")
    assert adjusted.status_code == 200 and adjusted.json()["status"] == "adjusted"


def test_the_xml_is_offered_beside_the_pdf(law_api: Api) -> None:
    old = issue(law_api, dt.date(2026, 6, 15))
    new = issue(law_api, dt.date(2026, 7, 15))
    clerk = law_api.login("clerk")
    r = clerk.get(f"/api/v1/receipts/{new.id}/xml")
    assert r.status_code == 200, r.text
    assert 'filename="bien-lai-26TVA-00000001.xml"' in r.headers["content-disposition"]
    with law_api.service.db.transaction() as s:
        assert r.content == xml_original_of(s, new.id)
    pdf = clerk.get(f"/api/v1/receipts/{new.id}/pdf")
    assert 'filename="bien-lai-26TVA-00000001.pdf"' in pdf.headers["content-disposition"]
    r = clerk.get(f"/api/v1/receipts/{old.id}/xml")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_xml_original"


def test_the_public_page_offers_the_xml_only_with_the_seal(law_api: Api) -> None:
    old = issue(law_api, dt.date(2026, 6, 15))
    new = issue(law_api, dt.date(2026, 7, 15))
    page = law_api.client.get(f"/v/{new.token}").text
    assert 'id="download-xml-form"' in page and 'id="download-form"' in page
    assert 'id="download-xml-form"' not in law_api.client.get(f"/v/{old.token}").text
    assert new.seal is not None and old.seal is not None
    got = law_api.client.post(f"/v/{new.token}/xml", data={"seal": new.seal})
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/xml")
    with law_api.service.db.transaction() as s:
        assert got.content == xml_original_of(s, new.id)
    assert 'filename="bien-lai-26TVA-00000001.xml"' in got.headers["content-disposition"]
    for token, seal in ((new.token, "123"), (new.token, ""), (old.token, old.seal)):
        refused = law_api.client.post(f"/v/{token}/xml", data={"seal": seal})
        assert not refused.headers["content-type"].startswith("application/xml")
