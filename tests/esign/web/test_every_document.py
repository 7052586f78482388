"""Every document kind in every status, as a citizen meets it: the QR's page (/v/<token>), the
server's seal check, the upload check (POST /api/v1/verify and the /verify page); the unit's
identity as it was on the day; and what an anonymous visitor may not have (the PDFs that name
people in full, a receipt's PDF without its seal, the clerk's own words)."""

from __future__ import annotations

import json
import re

import pytest

from esign.db.models import Receipt, ResultDocument
from esign.seal import mask_name, verify_seal
from esign.units import current_unit
from esign.workflows.snapshot import DocumentSnapshot, seal_claims

from .conftest import Web
from .documents import (
    CHILD,
    MOTHER,
    SECRET_NAMES,
    Doc,
    every_document,
    make_officials,
    make_result,
    stored_pdf,
)
from .helpers import PAYER


@pytest.fixture(autouse=True)
def _no_rate_limit(request: pytest.FixtureRequest) -> None:
    """These tests open many pages from one address: the limit is tested elsewhere."""
    for name in ("web", "web_sqlite"):
        if name in request.fixturenames:
            web: Web = request.getfixturevalue(name)
            web.service.settings.rate_limit_per_minute = 100_000


def _page_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def _state(html: str) -> str:
    found = re.search(r'id="verdict" data-tone="\w+" data-state="(\w+)"', html)
    assert found is not None
    return found.group(1)


def _check_page(web: Web, doc: Doc) -> str:
    page = web.client.get(f"/v/{doc.token}")
    assert page.status_code == 200, doc.name
    html = page.text
    assert _state(html) == doc.state, doc.name
    for secret in (*SECRET_NAMES, PAYER):
        assert secret not in html, (doc.name, secret)
    # The server's check of the printed seal: genuine, and it states the record.
    answer = web.client.post(f"/v/{doc.token}/seal", json={"seal": doc.seal}).json()
    assert (answer["genuine"], answer["verdict"], answer["mismatches"]) == (
        True,
        "genuine",
        [],
    ), doc.name
    # What the page's script compares the seal with is exactly what the seal states.
    check = verify_seal(doc.seal, published_keys=web.service.keyring.published(), token=doc.token)
    assert check.ok and check.claims is not None
    stated = {
        str(k): v.hex() if isinstance(v, bytes) else v for k, v in check.claims.to_map().items()
    }
    data = _page_data(html)
    assert data["record"] == stated and data["unchecked"] == [], doc.name
    assert check.claims.payer_masked in html
    return html


def _check_upload(web: Web, doc: Doc, *, page: bool) -> None:
    pdf = stored_pdf(web.service, doc.token)
    body = web.client.post(
        "/api/v1/verify", content=pdf, headers={"Content-Type": "application/pdf"}
    ).json()
    assert "record" in body, body
    record = body["record"]
    assert record["on_record"] and record["current_version"], doc.name
    assert record["status"] == doc.state, doc.name
    assert record["verify_url"].endswith(f"/v/{doc.token}")
    if doc.signed:
        assert body["verdict"] == "valid", (doc.name, body["message_en"])
    if page:
        html = web.client.post("/verify", files={"file": ("x.pdf", pdf, "application/pdf")}).text
        assert 'data-on-record="yes"' in html, doc.name
        assert f'href="/v/{doc.token}"' in html


def test_every_document_in_every_status(web: Web) -> None:
    docs = every_document(web.service, web.clerk)
    kinds = {d.name.split()[0] for d in docs}
    assert kinds == {"receipt", "marital_status", "birth_extract", "copy_certification"}
    assert {d.state for d in docs} == {"valid", "cancelled", "replaced", "adjusted", "pending"}
    seen_kinds: set[str] = set()
    for doc in docs:
        html = _check_page(web, doc)
        kind = doc.name.split()[0]
        _check_upload(web, doc, page=kind not in seen_kinds)
        seen_kinds.add(kind)
        if not doc.receipt:
            # The signing order from the snapshot, each place's progress from the record.
            marks = re.findall(r'data-role="(\w+)" data-signed="(yes|no)"', html)
            roles = [r for r, _ in marks]
            assert roles in (["judicial_officer", "chairman"], ["chairman"]), doc.name
            done = int(doc.name.split()[1].split("/")[0])
            assert [s for _, s in marks] == ["yes"] * done + ["no"] * (len(marks) - done)
        if doc.state == "cancelled":
            assert 'data-code="thu_trung">Thu trùng<' in html
            assert "hoàn trả" not in html


def test_birth_extract_requested_by_a_parent_is_genuine(web_sqlite: Web) -> None:
    """The reported case: the seal names the child (the subject); the page used to rebuild the
    fact from the dossier's applicant (the parent) and called a genuine paper untrustworthy."""
    web = web_sqlite
    officials = make_officials(web.service)
    _, token, seal = make_result(
        web.service, web.clerk, "birth_extract", signatures=2, officials=officials
    )
    html = web.client.get(f"/v/{token}").text
    assert _state(html) == "valid"
    assert f'<span id="person">{mask_name(CHILD)}</span>' in html
    assert f'<span id="applicant">{mask_name(MOTHER)}</span>' in html
    assert mask_name(CHILD) != mask_name(MOTHER)
    answer = web.client.post(f"/v/{token}/seal", json={"seal": seal}).json()
    assert answer["genuine"] is True and answer["mismatches"] == []
    assert "TRÍCH LỤC" in html.upper()  # the title comes from the snapshot


def test_documents_keep_the_unit_of_their_day(web: Web) -> None:
    """A new identity (name, address, tax code, header) from a later date: documents issued
    before still show and verify under the old one, new ones under the new."""
    service = web.service
    officials = make_officials(service)
    old_receipt = web.issue()
    _, old_result, old_result_seal = make_result(
        service, web.clerk, "marital_status", signatures=2, officials=officials
    )
    today = current_unit(service.settings)  # esign/data/units.toml, no override yet
    old_name, old_tax = today.name, today.tax_code
    service.settings = service.settings.model_copy(
        update={
            "unit_name": "Ủy ban nhân dân phường Chu Văn An",
            "unit_tax_code": "0201234567",
            "unit_address": "Phường Chu Văn An, thành phố Hải Phòng",
            "issuer_lines": ["ỦY BAN NHÂN DÂN", "PHƯỜNG CHU VĂN AN"],
            "issuer_place": "Chu Văn An",
        }
    )
    new_receipt = web.issue(payer="Trần Văn Nam")
    _, new_result, new_result_seal = make_result(
        service, web.clerk, "marital_status", signatures=2, officials=officials
    )
    cases = [
        (old_receipt.token, old_receipt.seal, old_name, old_tax),
        (old_result, old_result_seal, old_name, old_tax),
        (new_receipt.token, new_receipt.seal, "Ủy ban nhân dân phường Chu Văn An", "0201234567"),
        (new_result, new_result_seal, "Ủy ban nhân dân phường Chu Văn An", "0201234567"),
    ]
    for token, seal, name, tax in cases:
        html = web.client.get(f"/v/{token}").text
        unit = re.search(r'<dd id="unit">(.*?)<br>.*?: (\d[\d-]+)</span></dd>', html, re.S)
        assert unit is not None and unit.groups() == (name, tax), token
        assert _page_data(html)["record"]["1"] == tax  # type: ignore[index]
        answer = web.client.post(f"/v/{token}/seal", json={"seal": seal}).json()
        assert answer["genuine"] is True and answer["mismatches"] == [], token
    with service.db.reading() as s:
        snaps = [
            DocumentSnapshot.from_json(r.snapshot or "")
            for r in s.query(ResultDocument).order_by(ResultDocument.id)
        ]
    assert [s.unit.header_lines[-1] for s in snaps] == [
        "ỦY BAN NHÂN DÂN PHƯỜNG CHU VĂN AN",  # the data file's (NĐ 30/2020: no district line)
        "PHƯỜNG CHU VĂN AN",  # the deployment's override
    ]


def test_a_result_pdf_is_never_offered_to_an_anonymous_visitor(web_sqlite: Web) -> None:
    web = web_sqlite
    officials = make_officials(web.service)
    for template in ("marital_status", "birth_extract", "copy_certification"):
        _, token, seal = make_result(
            web.service, web.clerk, template, signatures=1, officials=officials
        )
        html = web.client.get(f"/v/{token}").text
        assert 'id="download-form"' not in html and 'id="no-download"' in html
        assert 'href="/verify"' in html  # offered instead: check the file you hold
        for response in (
            web.client.get(f"/v/{token}/pdf"),
            web.client.post(f"/v/{token}/pdf", data={"seal": seal}),  # even with its seal
        ):
            assert response.status_code == 403, template
            assert not response.content.startswith(b"%PDF")
            assert response.headers["content-type"].startswith("text/html")
            assert 'id="verify-link"' in response.text


def test_a_receipt_pdf_only_with_its_own_seal(web_sqlite: Web) -> None:
    web = web_sqlite
    r = web.issue()
    other = web.issue(payer="Trần Văn Nam")
    refused = [
        web.client.get(f"/v/{r.token}/pdf"),  # the link alone
        web.client.post(f"/v/{r.token}/pdf", data={}),
        web.client.post(f"/v/{r.token}/pdf", data={"seal": other.seal}),  # another's seal
        web.client.post(f"/v/{r.token}/pdf", data={"seal": r.seal[:-1]}),
        web.client.post(f"/v/{r.token}/pdf", data={"seal": r.seal + "0"}),
        web.client.post(f"/v/{r.token}/pdf", data={"seal": "1" * 5000}),
    ]
    for response in refused:
        assert response.status_code == 403
        assert not response.content.startswith(b"%PDF")
    ok = web.client.post(f"/v/{r.token}/pdf", data={"seal": r.seal})
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    assert ok.content == stored_pdf(web.service, r.token)
    assert ok.headers["cache-control"] == "no-store"
    mine = web.client.post(f"/v/{other.token}/pdf", data={"seal": other.seal})
    assert mine.status_code == 200 and mine.content == stored_pdf(web.service, other.token)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("sai_thong_tin_nguoi_nop", "Sai thông tin người nộp"),
        ("sai_so_tien", "Sai số tiền"),
        ("thu_trung", "Thu trùng"),
        ("nguoi_nop_yeu_cau_huy", "Người nộp yêu cầu hủy"),
        (None, "Lý do khác"),
    ],
)
def test_public_reason_comes_from_the_fixed_list(
    web_sqlite: Web, code: str | None, label: str
) -> None:
    web = web_sqlite
    r = web.issue()
    words = "Chị Bùi Thị Trang gọi điện báo nhầm, số CCCD 030195001234"
    web.cancel(r, words, code=code)
    html = web.client.get(f"/v/{r.token}").text
    assert f'data-code="{code or "khac"}">{label}<' in html
    assert "030195001234" not in html and "gọi điện" not in html
    with web.service.db.reading() as s:
        row = s.get(Receipt, r.id)
        assert row is not None and row.cancel_reason == words  # kept, internally


def test_an_unknown_reason_code_is_refused(web_sqlite: Web) -> None:
    from esign.errors import ValidationError

    web = web_sqlite
    r = web.issue()
    with pytest.raises(ValidationError):
        web.cancel(r, "Nhầm", code="bí mật")
    assert _state(web.client.get(f"/v/{r.token}").text) == "valid"


def test_the_seal_is_made_from_the_snapshot_it_is_stored_with(web_sqlite: Web) -> None:
    web = web_sqlite
    officials = make_officials(web.service)
    r = web.issue()
    _, token, seal = make_result(
        web.service, web.clerk, "copy_certification", signatures=0, officials=officials
    )
    with web.service.db.reading() as s:
        rows = [
            (s.query(Receipt).filter_by(token=r.token).one().snapshot, r.token, r.seal),
            (s.query(ResultDocument).filter_by(token=token).one().snapshot, token, seal),
        ]
    for text, tok, printed in rows:
        assert text is not None
        snap = DocumentSnapshot.from_json(text)
        assert snap.seal.text == printed
        check = verify_seal(printed, published_keys=web.service.keyring.published(), token=tok)
        assert check.ok and check.claims == seal_claims(snap)


@pytest.mark.parametrize(
    ("code", "label"),
    [("sai_so_tien", "Sai số tiền"), ("sai_thong_tin_nguoi_nop", "Sai thông tin")],
)
def test_a_replacement_prints_and_shows_the_public_reason(
    web_sqlite: Web, code: str, label: str
) -> None:
    from esign.workflows import receipts as flows
    from tests.utils.pdf_checks import page_texts, squash

    web = web_sqlite
    old = web.issue()
    words = "Chị Trang gọi lại, CCCD 030195001234"
    with web.service.db.transaction() as s:
        new = flows.replace_receipt(
            s, web.clerk, web.service, old.id, reason=words, reason_code=code
        )
        token, seal = new.token, new.seal or ""
    printed = squash(" ".join(page_texts(stored_pdf(web.service, token))))
    assert label in printed and "030195001234" not in printed and "gọi lại" not in printed
    html = web.client.get(f"/v/{token}").text
    assert f'id="relation-reason" data-code="{code}"' in html and "030195001234" not in html
    answer = web.client.post(f"/v/{token}/seal", json={"seal": seal}).json()
    assert answer["genuine"] is True
