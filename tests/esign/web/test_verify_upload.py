"""/verify and POST /api/v1/verify: anyone's PDF, checked in a child process, in plain words."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import Message

from esign.web.render import CSP
from esign.web.upload import read_capped
from tests.esign.signing.tampering import flip_byte_in_signed_range
from tests.utils import scheme_now

from .conftest import Web
from .helpers import Issued


def _pdf(web: Web, receipt: Issued) -> bytes:
    """The receipt's PDF as its holder gets it: with the seal from its QR."""
    response = web.client.post(f"/v/{receipt.token}/pdf", data={"seal": receipt.seal})
    assert response.status_code == 200
    return response.content


def test_form(web_sqlite: Web) -> None:
    page = web_sqlite.client.get("/verify")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "Kiểm tra chữ ký số của tệp PDF" in page.text and "tối đa 512 KB" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    english = web_sqlite.client.get("/verify?lang=en").text
    assert "Check the digital signatures of a PDF" in english
    assert 'action="/verify?lang=en"' in english


def test_our_receipt_is_valid_and_on_record(web: Web) -> None:
    r = web.issue()
    pdf = _pdf(web, r)
    page = web.client.post("/verify", files={"file": ("bien-lai.pdf", pdf, "application/pdf")})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-verdict="valid"' in html and "Chữ ký số hợp lệ" in html
    assert 'data-on-record="yes"' in html and "Đúng là bản lưu của phường:" in html
    assert f'href="/v/{r.token}"' in html and "UBND phường Chu Văn An" in html
    assert r.sha256 in html and "bien-lai.pdf" in html
    assert 'id="record-state">Văn bản thật, đang có hiệu lực<' in html
    api = web.client.post(
        "/api/v1/verify", content=pdf, headers={"Content-Type": "application/pdf"}
    ).json()
    assert api["verdict"] == "valid" and api["matches_record"] is True
    assert api["record"] == {
        "on_record": True,
        "current_version": True,
        "verify_url": f"https://vanan.chilinh.haiduong.gov.vn/v/{r.token}",
        "label": scheme_now.label(1),
        "status": "valid",
    }
    assert api["signatures"][0]["signer_name"] == "UBND phường Chu Văn An"
    assert api["signatures"][0]["kind"] == "certification"


def test_tampered_receipt_is_invalid_and_not_on_record(web_sqlite: Web) -> None:
    web = web_sqlite
    tampered = flip_byte_in_signed_range(_pdf(web, web.issue()))
    page = web.client.post("/verify?lang=en", files={"file": ("x.pdf", tampered)})
    assert page.status_code == 200
    assert 'data-verdict="invalid"' in page.text and "Signatures NOT valid" in page.text
    assert 'data-on-record="no"' in page.text and "Not the copy on the ward" in page.text
    api = web.client.post("/api/v1/verify", files={"file": ("x.pdf", tampered)}).json()
    assert api["verdict"] == "invalid" and api["record"]["on_record"] is False
    assert api["signatures"][0]["intact"] is False


def test_not_a_pdf_cannot_be_verified(web_sqlite: Web) -> None:
    page = web_sqlite.client.post(
        "/verify", files={"file": ("anh.jpg", b"\xff\xd8\xff\xe0 not a pdf", "image/jpeg")}
    )
    assert page.status_code == 200
    assert 'data-verdict="cannot_verify"' in page.text and "không phải tệp PDF" in page.text
    api = web_sqlite.client.post("/api/v1/verify", files={"file": ("a.txt", b"hello")}).json()
    assert api["verdict"] == "cannot_verify" and api["signatures"] == []


def test_oversize_upload_is_refused_before_reading_it(web_sqlite: Web) -> None:
    web = web_sqlite
    big = b"%PDF-1.7\n" + b"0" * (600 * 1024)
    page = web.client.post("/verify", files={"file": ("big.pdf", big, "application/pdf")})
    assert page.status_code == 413
    assert "Tệp lớn hơn giới hạn 512 KB: không kiểm tra." in page.text
    api = web.client.post(
        "/api/v1/verify", content=big, headers={"Content-Type": "application/pdf"}
    )
    assert api.status_code == 413 and api.json()["error"]["code"] == "upload_too_large"

    # Without a Content-Length (chunked), refused too.
    chunked = web.client.post(
        "/api/v1/verify",
        content=iter([b"%PDF-1.7\n", b"0" * (600 * 1024)]),
        headers={"Content-Type": "application/pdf"},
    )
    assert chunked.status_code == 413


def test_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    """What a chunked upload costs the server: the limit and one chunk, not the whole body."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        received += 1
        return {"type": "http.request", "body": b"0" * 65536, "more_body": received < 10_000}

    scope = {"type": "http", "method": "POST", "path": "/verify", "headers": []}
    body = asyncio.run(read_capped(Request(scope, receive), 512 * 1024))
    assert body is None and received == 9  # 9 × 64 KB is the first read past 512 KB

    declared = {**scope, "headers": [(b"content-length", b"700000000")]}
    assert asyncio.run(read_capped(Request(declared, receive), 512 * 1024)) is None
    assert received == 9  # refused on the declared length alone: nothing read


def test_no_file(web_sqlite: Web) -> None:
    page = web_sqlite.client.post("/verify", data={"other": "x"})
    assert page.status_code == 400 and "Chưa chọn tệp PDF." in page.text
    api = web_sqlite.client.post("/api/v1/verify", content=b"")
    assert api.status_code == 400 and api.json()["error"]["code"] == "no_file"


def test_a_cancelled_receipt_s_pdf_says_so(web_sqlite: Web) -> None:
    """Its signature is intact, but the page must not let it pass as in force."""
    web = web_sqlite
    r = web.issue()
    web.cancel(r, "Nộp nhầm")
    html = web.client.post("/verify", files={"file": ("x.pdf", _pdf(web, r))}).text
    assert 'data-verdict="valid"' in html
    assert 'id="record-state">ĐÃ HỦY — không còn giá trị<' in html
